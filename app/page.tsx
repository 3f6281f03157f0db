import { Suspense } from "react";
import { getSystemStatus } from "@/lib/data/status";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Environments</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Which image every app runs in each environment, and what is waiting to be promoted.
        </p>
      </div>
      <Suspense fallback={<StatusSkeleton />}>
        <StatusPanel />
      </Suspense>
    </div>
  );
}

async function StatusPanel() {
  const status = await getSystemStatus();
  return (
    <section aria-labelledby="setup-heading" className="rounded-lg border border-zinc-200 p-6 dark:border-zinc-800">
      <h2 id="setup-heading" className="text-base font-medium">
        {status.repository ? `Watching ${status.repository} @ ${status.branch}` : "No GitOps repository connected yet"}
      </h2>
      {!status.repository && (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          Set <code className="font-mono">LADDER_REPOSITORY</code> (owner/name) and a GitHub token or App, or run{" "}
          <code className="font-mono">npm run demo</code> for a sample repository.
        </p>
      )}
      <dl className="mt-4 grid grid-cols-1 gap-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Database</dt>
          <dd data-testid="database-status" className="mt-1 font-medium">
            {status.database.ok ? (
              <span className="text-emerald-700 dark:text-emerald-400">
                Connected · {status.database.migrations} migrations · {status.database.promotions} promotions recorded
              </span>
            ) : (
              <span className="text-red-700 dark:text-red-400">{status.database.message}</span>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">GitHub API</dt>
          <dd className="mt-1 font-mono text-xs">{status.githubApiUrl}</dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">GitHub credentials</dt>
          <dd className="mt-1">
            {status.githubAuth === "app"
              ? "GitHub App installation"
              : status.githubAuth === "token"
                ? "Token"
                : "None configured"}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function StatusSkeleton() {
  return (
    <div
      role="status"
      aria-busy="true"
      aria-label="Loading status"
      className="h-40 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900"
    />
  );
}
