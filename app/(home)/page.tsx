import Link from "next/link";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { BundleSelection } from "@/components/matrix/bundle-selection";
import { toGridData } from "@/components/matrix/grid-data";
import { HeadWatcher } from "@/components/matrix/head-watcher";
import { MatrixGrid } from "@/components/matrix/matrix-grid";
import { MatrixToolbar } from "@/components/matrix/matrix-toolbar";
import { ReadFailureView } from "@/components/read-failure";
import { RegistryEvidenceNote } from "@/components/registry/registry-note";
import { getActiveLocks } from "@/lib/data/locks";
import { type EnvironmentMatrix, getEnvironmentMatrix, type MatrixFilter } from "@/lib/data/matrix";
import { getOpenPromotions, reconcileOnView } from "@/lib/data/promotions";
import { describeReadFailure } from "@/lib/data/read-failure";
import { registryEvidenceEnabled } from "@/lib/data/registry";
import { getRepository } from "@/lib/data/repository-view";
import { getSystemStatus } from "@/lib/data/status";
import type { LadderYamlStatus } from "@/lib/gitops/types";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function HomePage({ searchParams }: { searchParams: SearchParams }) {
  await requireViewer();
  const params = await searchParams;
  const filter = one(params.filter);
  const query = {
    q: one(params.q),
    filter: (["waiting", "warnings"].includes(filter ?? "") ? filter : "all") as MatrixFilter,
    page: Number(one(params.page) ?? 1) || 1,
  };
  return (
    <div className="space-y-5">
      <Suspense fallback={<MatrixSkeleton />}>
        <MatrixSection query={query} />
      </Suspense>
    </div>
  );
}

/** Per environment, the apps on this page it could take a promotion for (what "select all waiting" selects). */
function waitingByEnvironment(matrix: EnvironmentMatrix): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const env of matrix.environments.slice(1))
    out[env] = matrix.rows.filter((r) => r.cells[env]?.promotable).map((r) => r.app);
  return out;
}

async function MatrixSection({ query }: { query: { q?: string; filter: MatrixFilter; page: number } }) {
  let matrix: EnvironmentMatrix;
  try {
    matrix = await getEnvironmentMatrix(query);
  } catch (error) {
    const failure = describeReadFailure(error);
    return (
      <>
        <PageTitle />
        <ReadFailureView failure={failure} />
        {failure.kind === "not-configured" && <SetupStatus />}
      </>
    );
  }
  const service = getRepository();
  // Catch up on missed webhooks in the background: the matrix shows no promotion status, so the
  // page must not wait on GitHub for it (reconcileOnView logs its own failures).
  void reconcileOnView();
  const [locks, openPromotions] = await Promise.all([
    getActiveLocks().catch((error: unknown) => {
      console.error("reading locks failed", error);
      return {};
    }),
    // Which cells wait on a pull request, and what its reviews and checks say (from the database).
    getOpenPromotions().catch((error: unknown) => {
      console.error("reading open promotions failed", error);
      return {};
    }),
  ]);
  const waiting = matrix.rows.reduce((n, r) => n + r.waiting, 0);
  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Environments</h1>
          <p className="mt-1 flex flex-wrap items-center gap-x-2 text-sm text-zinc-600 dark:text-zinc-400">
            <a href={service.webUrl} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
              {matrix.repository}
            </a>
            <span>@ {matrix.branch}</span>
            <HeadWatcher commit={matrix.commit} checkedAt={matrix.checkedAt} commitUrl={service.commitUrl(matrix.commit)} />
          </p>
        </div>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {matrix.environments.join(" → ")}
          {waiting > 0 && (
            <span className="ml-2 font-medium text-indigo-700 dark:text-indigo-400">{waiting} waiting on this page</span>
          )}
        </p>
      </div>
      {matrix.layout.ladderYaml.state === "invalid" && <InvalidLadderYaml status={matrix.layout.ladderYaml} />}
      {matrix.layout.ladderYaml.state === "missing" && matrix.layout.guessed.length > 0 && (
        <details className="rounded-md border border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
            No ladder.yaml: Ladder detected the layout ({matrix.layout.guessed.length} guesses)
          </summary>
          <ul className="mt-2 list-disc pl-5 text-zinc-600 dark:text-zinc-400">
            {matrix.layout.guessed.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
          <p className="mt-2">
            <Link href="/layout#ladder-yaml" className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
              What Ladder detected, and the ladder.yaml it would write
            </Link>
          </p>
        </details>
      )}
      {matrix.totalApps === 0 && (
        <div
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm dark:border-amber-800 dark:bg-amber-950/40"
        >
          <p className="font-medium">Ladder found no app × environment in this repository.</p>
          <p className="mt-1 text-zinc-700 dark:text-zinc-300">
            The{" "}
            <Link href="/layout" className="font-medium underline">
              layout report
            </Link>{" "}
            shows what was read, what was ignored and why; the warnings below name the files. A ladder.yaml that says where each
            app&apos;s environments are makes the matrix exact.
          </p>
        </div>
      )}
      {matrix.warnings.length > 0 && (
        <details className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm dark:border-amber-800 dark:bg-amber-950/40">
          <summary className="cursor-pointer font-medium">{matrix.warnings.length} repository warnings</summary>
          <ul className="mt-2 space-y-1 font-mono text-xs">
            {matrix.warnings.map((w) => (
              <li key={`${w.file}:${w.line}:${w.message}`}>
                {w.file}:{w.line}: {w.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      <RegistryEvidenceNote />
      <MatrixToolbar matching={matrix.matchingApps} total={matrix.totalApps} />
      <BundleSelection environments={matrix.environments} waiting={waitingByEnvironment(matrix)}>
        {matrix.rows.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
            {matrix.totalApps === 0 ? "No apps found in this repository." : "No app matches this search or filter."}
          </p>
        ) : (
          <MatrixGrid data={toGridData(matrix, openPromotions, registryEvidenceEnabled())} locks={locks} />
        )}
      </BundleSelection>
      {matrix.pageCount > 1 && <Pagination page={matrix.page} pageCount={matrix.pageCount} query={query} />}
    </>
  );
}

function Pagination({ page, pageCount, query }: { page: number; pageCount: number; query: { q?: string; filter: string } }) {
  const href = (p: number) => {
    const params = new URLSearchParams();
    if (query.q) params.set("q", query.q);
    if (query.filter !== "all") params.set("filter", query.filter);
    params.set("page", String(p));
    return `/?${params.toString()}`;
  };
  return (
    <nav aria-label="Pages" className="flex items-center justify-center gap-3 text-sm">
      {page > 1 ? (
        <Link
          href={href(page - 1)}
          className="rounded-md border border-zinc-300 px-3 py-1 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
        >
          Previous
        </Link>
      ) : (
        <span className="px-3 py-1 text-zinc-400">Previous</span>
      )}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link
          href={href(page + 1)}
          className="rounded-md border border-zinc-300 px-3 py-1 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
        >
          Next
        </Link>
      ) : (
        <span className="px-3 py-1 text-zinc-400">Next</span>
      )}
    </nav>
  );
}

/** Not folded away: while ladder.yaml is invalid nothing can be promoted, and the page must say so first. */
function InvalidLadderYaml({ status }: { status: Extract<LadderYamlStatus, { state: "invalid" }> }) {
  return (
    <section
      role="alert"
      data-testid="ladder-yaml-invalid"
      className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-950 dark:border-red-800 dark:bg-red-950/40 dark:text-red-100"
    >
      <h2 className="font-semibold">
        {status.file} at <code>{status.commit.slice(0, 7)}</code> is invalid: promotions, rollbacks, locks and unlocks are refused
        until it is fixed
      </h2>
      <ul className="mt-2 space-y-1 font-mono text-xs">
        {status.errors.map((e) => (
          <li key={`${e.file}:${e.line}:${e.message}`}>
            {e.file}:{e.line}: {e.message}
          </li>
        ))}
      </ul>
      <p className="mt-2">
        {status.layoutFrom ? (
          <>
            The matrix below uses the layout of the last valid {status.file}, at <code>{status.layoutFrom.slice(0, 7)}</code>, and
            shows what runs at the branch head.
          </>
        ) : (
          <>No earlier valid {status.file} was found: the matrix below is Ladder&apos;s detected layout, a guess.</>
        )}
      </p>
    </section>
  );
}

function PageTitle() {
  return (
    <div>
      <h1 className="text-2xl font-semibold tracking-tight">Environments</h1>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Which image every app runs in each environment, and what is waiting to be promoted.
      </p>
    </div>
  );
}

async function SetupStatus() {
  const status = await getSystemStatus();
  return (
    <dl className="grid grid-cols-1 gap-4 rounded-lg border border-zinc-200 p-6 text-sm sm:grid-cols-3 dark:border-zinc-800">
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
          {status.githubAuth === "app" ? "GitHub App installation" : status.githubAuth === "token" ? "Token" : "None configured"}
        </dd>
      </div>
    </dl>
  );
}

function MatrixSkeleton() {
  return (
    <div role="status" aria-label="Loading environments" className="space-y-4">
      <div className="h-8 w-64 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
      <div className="h-9 w-96 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
      <div className="h-80 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
    </div>
  );
}
