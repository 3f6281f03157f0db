"use client";

import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950">
      <h1 className="text-lg font-semibold text-red-800 dark:text-red-200">Something went wrong</h1>
      <p className="mt-2 text-sm text-red-700 dark:text-red-300">{error.message}</p>
      {error.digest && <p className="mt-1 font-mono text-xs text-red-600 dark:text-red-400">Reference {error.digest}</p>}
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800"
      >
        Try again
      </button>
    </div>
  );
}
