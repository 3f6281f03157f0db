import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { DetailsButton } from "@/components/history/promotion-drawer";
import { ReviewStatusText } from "@/components/history/review-status";
import { StatsCharts } from "@/components/history/stats-charts";
import { StatusBadge } from "@/components/history/status-badge";
import { BundleRollbackButton } from "@/components/promote/bundle-rollback-button";
import { PromoteButton } from "@/components/promote/promote-button";
import { ReadFailureView } from "@/components/read-failure";
import { RelativeTime } from "@/components/ui/relative-time";
import { TableHead } from "@/components/ui/table-head";
import { getHistoryPage, getHistoryStats, type HistoryQuery, parseHistoryQuery } from "@/lib/data/history";
import { reconcileOnView } from "@/lib/data/promotions";
import { describeReadFailure } from "@/lib/data/read-failure";
import { shortDigest } from "@/lib/gitops/image-ref";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "History" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const input = "rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

function queryString(query: HistoryQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...extra })) if (v && k !== "cursor") params.set(k, v);
  if (extra.cursor) params.set("cursor", extra.cursor);
  return params.toString();
}

export default async function HistoryPage({ searchParams }: { searchParams: SearchParams }) {
  await requireViewer();
  const query = parseHistoryQuery(await searchParams);
  // Catch up on pull requests whose webhooks were missed (bounded, at most every 30 s).
  await reconcileOnView();
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">History</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Every promotion Ladder recorded and what became of it. Each event is chained to the one before by its SHA-256, so
            tampering shows (<code className="font-mono text-xs">npm run ladder -- audit verify</code>).
          </p>
        </div>
        <div className="flex gap-2 text-sm">
          <a
            className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
            href={`/api/promotions/export?${queryString(query, { format: "csv" })}`}
          >
            Export CSV
          </a>
          <a
            className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
            href={`/api/promotions/export?${queryString(query, { format: "json" })}`}
          >
            Export JSON
          </a>
        </div>
      </div>

      <form method="get" action="/history" className="flex flex-wrap items-end gap-3" aria-label="Filter promotions">
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          App
          <input name="app" defaultValue={query.app} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          Environment
          <input name="env" defaultValue={query.env} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          Status
          <select name="status" defaultValue={query.status ?? ""} className={input}>
            <option value="">Any</option>
            {["PENDING", "OPEN", "MERGED", "CLOSED", "FAILED"].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          Person
          <input name="person" defaultValue={query.person} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          From
          <input type="date" name="from" defaultValue={query.from} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          To
          <input type="date" name="to" defaultValue={query.to} className={input} />
        </label>
        <button
          type="submit"
          className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900"
        >
          Filter
        </button>
        <Link href="/history" className="px-2 py-1.5 text-sm text-zinc-600 hover:underline dark:text-zinc-400">
          Clear
        </Link>
      </form>

      <Suspense
        fallback={
          <div role="status" aria-label="Loading charts" className="h-56 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
        }
      >
        <Charts query={query} />
      </Suspense>
      <Suspense
        key={queryString(query, query.cursor ? { cursor: query.cursor } : {})}
        fallback={
          <div
            role="status"
            aria-label="Loading promotions"
            className="h-64 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900"
          />
        }
      >
        <PromotionTable query={query} />
      </Suspense>
    </div>
  );
}

async function Charts({ query }: { query: HistoryQuery }) {
  try {
    return <StatsCharts stats={await getHistoryStats(query)} />;
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
}

async function PromotionTable({ query }: { query: HistoryQuery }) {
  let page: Awaited<ReturnType<typeof getHistoryPage>>;
  try {
    page = await getHistoryPage(query);
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  if (page.items.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
        No promotions match. Promote from the{" "}
        <Link className="underline" href="/">
          environments matrix
        </Link>
        .
      </p>
    );
  }
  const bundleMerged = query.bundle ? page.items.filter((p) => p.status === "MERGED") : [];
  return (
    <>
      {query.bundle && (
        <section
          aria-label="Bundle"
          data-testid="bundle-summary"
          className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-sm dark:border-violet-900 dark:bg-violet-950/40"
        >
          <span>
            One pull request for {page.items.length} app{page.items.length === 1 ? "" : "s"}:{" "}
            {page.items.map((p) => p.app).join(", ")}
            {page.items[0]?.prUrl && (
              <>
                {" "}
                (
                <a className="underline" href={page.items[0].prUrl}>
                  #{page.items[0].prNumber}
                </a>
                )
              </>
            )}
          </span>
          {bundleMerged.length > 0 && bundleMerged.some((p) => p.previousDigest) && (
            <BundleRollbackButton bundleId={query.bundle} env={bundleMerged[0]?.toEnv ?? ""} />
          )}
        </section>
      )}
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Promotions, newest first</caption>
          <TableHead
            columns={[
              "When",
              "App",
              "Environments",
              "Version",
              "Status",
              "By",
              "Pull request",
              { label: "Actions", srOnly: true },
            ]}
          />
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {page.items.map((p) => (
              <tr key={p.id} data-testid="promotion-row" data-status={p.status}>
                <td className="px-3 py-2 text-xs">
                  <RelativeTime date={p.createdAt} />
                </td>
                <td className="px-3 py-2 font-medium">
                  <Link className="hover:underline" href={`/apps/${encodeURIComponent(p.app)}`}>
                    {p.app}
                  </Link>
                  {p.bundleId && (
                    <Link
                      href={`/history?bundle=${p.bundleId}`}
                      title="Promoted together with other apps in one pull request: show the whole bundle"
                      aria-label={`Show the whole bundle ${p.app} was promoted in`}
                      className="ml-1.5 rounded bg-violet-50 px-1 py-0.5 text-[11px] font-normal text-violet-800 hover:underline dark:bg-violet-950 dark:text-violet-300"
                    >
                      bundle
                    </Link>
                  )}
                </td>
                <td className="px-3 py-2">
                  {p.fromEnv} → {p.toEnv}
                  {p.target && (
                    <span title="A canary: only this target of the environment" className="text-zinc-600 dark:text-zinc-400">
                      /{p.target} <span className="text-xs text-indigo-700 dark:text-indigo-400">canary</span>
                    </span>
                  )}
                  {p.rollback && <span className="ml-1 text-xs text-amber-800 dark:text-amber-300">rollback</span>}
                </td>
                <td className="px-3 py-2 font-mono text-xs" title={p.digest ?? undefined}>
                  {p.tag && <span className="mr-1">{p.tag}</span>}
                  {p.digest ? shortDigest(p.digest) : null}
                </td>
                <td className="px-3 py-2">
                  <StatusBadge status={p.status} />
                  {p.status === "OPEN" && <ReviewStatusText status={p.reviewStatus} />}
                  {p.error && (
                    <div className="max-w-56 truncate text-xs text-red-700 dark:text-red-400" title={p.error}>
                      {p.error}
                    </div>
                  )}
                </td>
                <td className="px-3 py-2">{p.requestedBy}</td>
                <td className="px-3 py-2">
                  {p.prUrl ? (
                    <a className="text-indigo-700 hover:underline dark:text-indigo-400" href={p.prUrl}>
                      #{p.prNumber}
                    </a>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="space-x-1 whitespace-nowrap px-3 py-2 text-right">
                  <DetailsButton id={p.id} label={`Details of ${p.app} ${p.fromEnv} → ${p.toEnv} (${p.status})`} />
                  {p.status === "MERGED" && p.previousDigest && (
                    <PromoteButton
                      target={{ app: p.app, toEnv: p.toEnv, digest: p.previousDigest, rollback: true }}
                      label={`Roll back ${p.app} in ${p.toEnv} to ${shortDigest(p.previousDigest)}`}
                      className="rounded-md border border-amber-400 px-2 py-0.5 text-xs text-amber-900 hover:bg-amber-50 dark:border-amber-700 dark:text-amber-200 dark:hover:bg-amber-950"
                    >
                      Roll back
                    </PromoteButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages" className="flex justify-between text-sm">
        {query.cursor ? (
          <Link className="underline" href={`/history?${queryString(query)}`}>
            Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor && (
          <Link className="underline" href={`/history?${queryString(query, { cursor: page.nextCursor })}`}>
            Older
          </Link>
        )}
      </nav>
    </>
  );
}
