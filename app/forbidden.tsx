import Link from "next/link";
import { viewRefusal } from "./_auth/require-viewer";

export const metadata = { title: "Not allowed" };

/** The 403 page: which rule of ladder.yaml refused this person, so they know whom to ask. */
export default async function Forbidden() {
  const { actor, reason } = await viewRefusal();
  return (
    <section
      role="alert"
      className="mx-auto max-w-xl rounded-lg border border-red-300 bg-red-50 p-6 dark:border-red-800 dark:bg-red-950/40"
    >
      <h1 className="text-lg font-semibold">You may not view this Ladder</h1>
      <p className="mt-2 text-sm">{reason ?? "Access was refused."}</p>
      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
        {actor ? `Signed in as ${actor.login}. ` : ""}Who may look is set by <code>viewers</code> in the repository&apos;s
        ladder.yaml; ask whoever maintains it.
      </p>
      <p className="mt-3 text-sm">
        <Link href="/signin" className="underline">
          Sign in as someone else
        </Link>
      </p>
    </section>
  );
}
