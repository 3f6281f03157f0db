import Link from "next/link";

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        No app, environment or page by that name in this repository.
      </p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
        Back to environments
      </Link>
    </div>
  );
}
