import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { ReadFailureView } from "@/components/read-failure";
import { Badge } from "@/components/ui/badge";
import { TableHead } from "@/components/ui/table-head";
import { type DriftReport, getDriftReport } from "@/lib/data/drift";
import { describeReadFailure } from "@/lib/data/read-failure";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Drift" };

export default async function DriftPage() {
  await requireViewer();
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Drift</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Differences between neighbouring environments that ladder.yaml does not allow, worst first. Images and allowed keys
          (replicas, resources, hosts) are expected to differ.
        </p>
      </div>
      <Suspense
        fallback={
          <div role="status" aria-label="Loading drift" className="h-64 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
        }
      >
        <DriftList />
      </Suspense>
    </div>
  );
}

async function DriftList() {
  let report: DriftReport;
  try {
    report = await getDriftReport();
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  if (report.pairs.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
        No drift: all {report.checkedPairs} neighbouring environment pairs differ only where they are allowed to.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Environment pairs with unexpected differences</caption>
        <TableHead
          columns={[
            "App",
            "Environments",
            "Unexpected",
            "Examples",
            { label: "Overlay thinness", title: "Share of each overlay's lines that are its own rather than the shared base's" },
          ]}
        />
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {report.pairs.map((p) => (
            <tr key={`${p.app}|${p.from}|${p.to}`} data-testid="drift-row">
              <td className="px-3 py-2 font-medium">{p.app}</td>
              <td className="px-3 py-2">
                <Link
                  className="text-indigo-700 hover:underline dark:text-indigo-400"
                  href={`/apps/${encodeURIComponent(p.app)}/compare?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`}
                >
                  {p.from} → {p.to}
                </Link>
              </td>
              <td className="px-3 py-2">
                {p.error ? <Badge tone="amber">could not compare</Badge> : <Badge tone="red">{p.drift} drift</Badge>}{" "}
                <span className="text-xs text-zinc-500">{p.expected} expected</span>
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {p.error ? (
                  <span className="font-sans">{p.error}</span>
                ) : (
                  p.examples.map((e) => (
                    <div key={`${e.resource}|${e.keyPath}`}>
                      {e.resource} {e.keyPath} <span className="font-sans text-zinc-500">({e.change})</span>
                    </div>
                  ))
                )}
              </td>
              <td className="px-3 py-2 text-xs">
                {p.thinness.from && p.thinness.to
                  ? `${p.from} ${Math.round(p.thinness.from.ratio * 100)}% · ${p.to} ${Math.round(p.thinness.to.ratio * 100)}% own`
                  : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
