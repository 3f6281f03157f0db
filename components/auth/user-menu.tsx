import { getActor } from "@/app/_auth/session";
import { signOut } from "./actions";

/** The signed-in person and a sign-out button; nothing when nobody is signed in. */
export async function UserMenu() {
  const actor = await getActor();
  if (!actor) return null;
  return (
    <details className="relative">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-900">
        <span
          aria-hidden="true"
          className="flex h-6 w-6 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold uppercase text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
        >
          {actor.login.slice(0, 1)}
        </span>
        <span className="sr-only">Signed in as </span>
        <span data-testid="signed-in-user">{actor.login}</span>
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-56 rounded-md border border-zinc-200 bg-white p-2 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-950">
        <p className="px-2 py-1 text-zinc-600 dark:text-zinc-400">
          {actor.name !== actor.login ? `${actor.name} · ` : ""}
          {actor.via === "github" ? "GitHub" : actor.via === "proxy" ? "your sign-in proxy" : "local user"}
        </p>
        {actor.via === "proxy" ? (
          <p className="px-2 py-1 text-zinc-600 dark:text-zinc-400">Sign out at your sign-in proxy.</p>
        ) : (
          <form action={signOut}>
            <button type="submit" className="w-full rounded px-2 py-1 text-left hover:bg-zinc-100 dark:hover:bg-zinc-900">
              Sign out
            </button>
          </form>
        )}
      </div>
    </details>
  );
}
