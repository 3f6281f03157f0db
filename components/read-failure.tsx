import type { ReadFailure } from "@/lib/data/read-failure";

const hints: Record<ReadFailure["kind"], string> = {
  "not-configured":
    "Set LADDER_REPOSITORY (owner/name) and a GitHub token or App, or run `npm run demo` for a sample repository.",
  unreachable: "Ladder keeps trying; this page refreshes when GitHub answers again.",
  "rate-limited": "Ladder waits for the limit to reset; nothing is lost meanwhile.",
  "bad-credentials": "Check GITHUB_TOKEN, or the GitHub App id, private key and installation id.",
  "not-found": "Check LADDER_REPOSITORY and LADDER_BRANCH, and that Ladder's credentials can read the repository.",
  empty: "Push a first commit with your environments' configuration.",
  other: "The server log has the details.",
};

export function ReadFailureView({ failure }: { failure: ReadFailure }) {
  const tone =
    failure.kind === "not-configured"
      ? "border-zinc-200 dark:border-zinc-800"
      : "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/40";
  return (
    <section role={failure.kind === "not-configured" ? undefined : "alert"} className={`rounded-lg border p-6 ${tone}`}>
      <h2 className="text-base font-semibold">{failure.title}</h2>
      <p className="mt-2 text-sm">{failure.message}</p>
      {failure.resetAt && (
        <p className="mt-1 text-sm">
          Resets at <time dateTime={failure.resetAt}>{new Date(failure.resetAt).toUTCString()}</time>.
        </p>
      )}
      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">{hints[failure.kind]}</p>
    </section>
  );
}
