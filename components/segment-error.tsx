"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useTransition } from "react";

export interface SegmentErrorProps {
  error: Error & { digest?: string };
  reset: () => void;
}

/**
 * What a route segment's error.tsx shows: a plain sentence, the digest that finds the error in the
 * server log, Retry and a way back. Never error.message: from a server component it may carry
 * internals (a path, a query), and the log has it in full.
 */
export function SegmentError({
  error,
  reset,
  title,
  back,
}: SegmentErrorProps & { title: string; back: { href: string; label: string } }) {
  const router = useRouter();
  const [retrying, startRetry] = useTransition();
  useEffect(() => {
    console.error(error);
  }, [error]);
  // reset() alone re-renders the segment from the payload already here, which holds the same
  // error; refreshing first asks the server to render it again.
  const retry = () =>
    startRetry(() => {
      router.refresh();
      reset();
    });
  return (
    <section role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950">
      <h1 className="text-lg font-semibold text-red-800 dark:text-red-200">{title}</h1>
      <p className="mt-2 text-sm text-red-700 dark:text-red-300">
        Ladder hit an error while loading this page. Try again; if it keeps happening, the server log has the details.
      </p>
      {error.digest && <p className="mt-1 font-mono text-xs text-red-600 dark:text-red-400">Reference {error.digest}</p>}
      <div className="mt-4 flex items-center gap-4">
        <button
          type="button"
          onClick={retry}
          disabled={retrying}
          className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
        >
          {retrying ? "Retrying…" : "Retry"}
        </button>
        <Link href={back.href} className="text-sm font-medium text-red-800 hover:underline dark:text-red-200">
          {back.label}
        </Link>
      </div>
    </section>
  );
}
