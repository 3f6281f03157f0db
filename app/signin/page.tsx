import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/app/_auth/session";
import { signIn } from "@/components/auth/actions";
import { safeReturnPath } from "@/lib/auth/routes";
import { serverEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<{ next?: string | string[]; error?: string | string[] }>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeReturnPath(Array.isArray(params.next) ? params.next[0] : params.next);
  if (await getActor()) redirect(next);
  const { auth } = serverEnv();
  const failed = params.error !== undefined;
  return (
    <div className="mx-auto mt-16 max-w-sm rounded-lg border border-zinc-200 p-6 dark:border-zinc-800">
      <h1 className="text-lg font-semibold">Sign in to Ladder</h1>
      {failed ? (
        <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
          Sign-in did not complete. Try again.
        </p>
      ) : null}
      {auth.mode === "proxy" ? (
        <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
          Ladder takes your identity from the sign-in proxy in front of it, and this request arrived without one. Open Ladder
          through that proxy.
        </p>
      ) : (
        <form action={signIn} className="mt-4">
          <input type="hidden" name="next" value={next} />
          <button
            type="submit"
            className="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {auth.mode === "github" ? "Sign in with GitHub" : `Sign in as ${auth.localUser}`}
          </button>
          {auth.mode === "local" ? (
            <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
              Local sign-in: one user, for the demo and development only.
            </p>
          ) : null}
        </form>
      )}
    </div>
  );
}
