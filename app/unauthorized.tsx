import Link from "next/link";

export const metadata = { title: "Sign in" };

/** The 401 page (a session that ended while the page was open). */
export default function Unauthorized() {
  return (
    <section role="alert" className="mx-auto max-w-xl rounded-lg border border-zinc-200 p-6 dark:border-zinc-800">
      <h1 className="text-lg font-semibold">Sign in to see Ladder</h1>
      <p className="mt-3 text-sm">
        <Link href="/signin" className="underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}
