import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { FileDiff } from "@/components/compare/file-diff";
import { SemanticTable } from "@/components/compare/semantic-table";
import { PromoteButton } from "@/components/promote/promote-button";
import { ReadFailureView } from "@/components/read-failure";
import { Badge } from "@/components/ui/badge";
import {
  type Comparison,
  getAppEnvironments,
  getComparison,
  getRenderedPair,
  UnknownAppError,
  UnknownEnvironmentError,
} from "@/lib/data/compare";
import { describeReadFailure } from "@/lib/data/read-failure";
import { shortDigest } from "@/lib/gitops/image-ref";

export const dynamic = "force-dynamic";

type Params = Promise<{ app: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { app } = await params;
  return { title: `Compare ${decodeURIComponent(app)}` };
}

export default async function ComparePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  await requireViewer();
  const { app: rawApp } = await params;
  const app = decodeURIComponent(rawApp);
  const sp = await searchParams;
  let environments: string[] | null;
  try {
    environments = await getAppEnvironments(app);
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  if (!environments) notFound();
  const from = one(sp.from) ?? environments[environments.length - 2] ?? environments[0] ?? "";
  const to = one(sp.to) ?? environments[environments.length - 1] ?? "";
  const view = one(sp.view) === "rendered" ? "rendered" : "files";
  if (!environments.includes(from) || !environments.includes(to)) notFound();

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            <Link href={`/apps/${encodeURIComponent(app)}`} className="hover:underline">
              {app}
            </Link>{" "}
            / compare
          </p>
          <h1 className="text-2xl font-semibold tracking-tight">
            {from} <span className="text-zinc-400">→</span> {to}
          </h1>
        </div>
        <form className="flex flex-wrap items-end gap-2 text-sm" action={`/apps/${encodeURIComponent(app)}/compare`}>
          <label className="flex flex-col gap-1">
            <span className="text-xs text-zinc-500 dark:text-zinc-400">From</span>
            <select
              name="from"
              defaultValue={from}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
            >
              {environments.map((e) => (
                <option key={e}>{e}</option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-xs text-zinc-500 dark:text-zinc-400">To</span>
            <select
              name="to"
              defaultValue={to}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
            >
              {environments.map((e) => (
                <option key={e}>{e}</option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            className="rounded-md bg-zinc-900 px-3 py-1.5 font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900"
          >
            Compare
          </button>
          <Link
            href={`/apps/${encodeURIComponent(app)}/compare?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`}
            className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
          >
            Swap
          </Link>
        </form>
      </div>
      <Suspense key={`${from}|${to}|${view}`} fallback={<CompareSkeleton />}>
        <CompareBody app={app} from={from} to={to} view={view} />
      </Suspense>
    </div>
  );
}

async function CompareBody({ app, from, to, view }: { app: string; from: string; to: string; view: "files" | "rendered" }) {
  let comparison: Comparison;
  try {
    comparison = await getComparison(app, from, to);
  } catch (error) {
    if (error instanceof UnknownAppError || error instanceof UnknownEnvironmentError) notFound();
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  const { diff } = comparison;
  const drift = diff.semantic.filter((c) => c.classification === "drift").length;
  const base = `/apps/${encodeURIComponent(app)}/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  return (
    <>
      <section aria-labelledby="summary-heading" className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="summary-heading" className="text-lg font-semibold">
            What differs
          </h2>
          {drift > 0 ? <Badge tone="red">{drift} unexpected</Badge> : <Badge tone="green">no drift</Badge>}
          <Badge tone="gray">{diff.semantic.length - drift} expected</Badge>
          {diff.images.some((pair) => pair.relation === "differs" && pair.from?.digest) &&
            (from.includes("/") || to.includes("/") ? (
              // A target address (prod/us-east-1): promotions move an environment's own file, which
              // reaches all its targets; promoting into one target is not offered yet.
              <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
                {from.split("/")[0] === to.split("/")[0]
                  ? `Both are targets of ${to.split("/")[0]}: a promotion moves ${to.split("/")[0]}'s own file, which every target builds on.`
                  : `Promotions move a whole environment: compare ${from.split("/")[0]} with ${to.split("/")[0]} to promote.`}
              </span>
            ) : (
              <span className="ml-auto">
                <PromoteButton target={{ app, toEnv: to, fromEnv: from }} label={`Promote ${app} from ${from} to ${to}`}>
                  Promote {app} from {from} to {to} <span aria-hidden="true">↑</span>
                </PromoteButton>
              </span>
            ))}
        </div>
        <ul className="flex flex-wrap gap-3 text-sm">
          {diff.images.map((pair) => (
            <li key={pair.repository} className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800">
              <div className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{pair.repository}</div>
              <div className="font-mono text-xs">
                {pair.from?.tag ?? "—"} {pair.from?.digest ? `@${shortDigest(pair.from.digest, { algorithm: false })}` : ""} →{" "}
                {pair.to?.tag ?? "—"} {pair.to?.digest ? `@${shortDigest(pair.to.digest, { algorithm: false })}` : ""}
              </div>
              <div className="text-xs">
                {pair.relation === "same" ? "same artifact" : pair.relation === "differs" ? "different artifact" : "only in one"}
              </div>
            </li>
          ))}
          {Object.entries(diff.thinness).map(([env, t]) => (
            <li
              key={env}
              className="rounded-md border border-zinc-200 px-3 py-2 text-xs dark:border-zinc-800"
              title="Lines in the environment's own files against lines in the shared base"
            >
              <div className="text-zinc-500 dark:text-zinc-400">{env} overlay</div>
              <div>
                {t.ownLines} own lines / {t.sharedLines} shared · {Math.round(t.ratio * 100)}% own
              </div>
            </li>
          ))}
        </ul>
        <SemanticTable changes={diff.semantic} from={from} to={to} />
      </section>

      <section aria-labelledby="files-heading" className="space-y-3">
        <h2 id="files-heading" className="sr-only">
          Files
        </h2>
        <nav aria-label="Views" className="flex items-center gap-4 border-b border-zinc-200 dark:border-zinc-800">
          <Link
            aria-current={view === "files" ? "page" : undefined}
            href={base}
            className={`-mb-px border-b-2 px-1 pb-2 text-sm ${view === "files" ? "border-indigo-600 font-medium" : "border-transparent text-zinc-600 dark:text-zinc-400"}`}
          >
            Environment files
          </Link>
          <Link
            aria-current={view === "rendered" ? "page" : undefined}
            href={`${base}&view=rendered`}
            className={`-mb-px border-b-2 px-1 pb-2 text-sm ${view === "rendered" ? "border-indigo-600 font-medium" : "border-transparent text-zinc-600 dark:text-zinc-400"}`}
          >
            Rendered
          </Link>
        </nav>
        {view === "rendered" ? (
          <Suspense
            fallback={
              <div role="status" aria-label="Rendering" className="h-64 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
            }
          >
            <RenderedView app={app} from={from} to={to} />
          </Suspense>
        ) : (
          comparison.files.map((file) => (
            <details
              key={file.name}
              open={file.status !== "same"}
              className="rounded-lg border border-zinc-200 dark:border-zinc-800"
            >
              <summary className="flex cursor-pointer items-center gap-2 px-3 py-2 text-sm">
                <span className="font-mono">{file.name}</span>
                <Badge tone={file.status === "same" ? "gray" : file.status === "changed" ? "blue" : "amber"}>
                  {file.status === "only-from" ? `only in ${from}` : file.status === "only-to" ? `only in ${to}` : file.status}
                </Badge>
              </summary>
              <FileDiff
                fromText={file.fromText}
                toText={file.toText}
                fromTitle={file.fromPath ?? `(no file in ${from})`}
                toTitle={file.toPath ?? `(no file in ${to})`}
              />
            </details>
          ))
        )}
      </section>
    </>
  );
}

async function RenderedView({ app, from, to }: { app: string; from: string; to: string }) {
  const pair = await getRenderedPair(app, from, to);
  if (!pair.available)
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">Rendered output is not available: {pair.reason}</p>;
  if (!pair.from.ok || !pair.to.ok) {
    return (
      <div className="space-y-1 text-sm text-amber-800 dark:text-amber-300">
        {!pair.from.ok && (
          <p>
            {from} does not render: {pair.from.reason}
          </p>
        )}
        {!pair.to.ok && (
          <p>
            {to} does not render: {pair.to.reason}
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="rounded-lg border border-zinc-200 dark:border-zinc-800">
      <FileDiff
        fromText={pair.from.output}
        toText={pair.to.output}
        fromTitle={`kustomize build (${from})`}
        toTitle={`kustomize build (${to})`}
      />
    </div>
  );
}

function CompareSkeleton() {
  return (
    <div role="status" aria-label="Loading comparison" className="space-y-3">
      <div className="h-24 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
      <div className="h-96 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
    </div>
  );
}
