"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PromotionStats } from "@/lib/promotion/promotion-stats";
import { duration } from "./duration";

function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)}%`;
}

/** The words docs/history.md defines the two figures with, shown where they are read. */
export const FAILURE_DEFINITION =
  "A merged promotion fails when a rollback of the same app in the same environment merges before any other promotion of it does. Rollbacks themselves are not counted.";
export const RESTORE_DEFINITION =
  "For each failing promotion: from its merge to the merge of the rollback that replaced it. The median is shown.";

interface RateDatum {
  env: string;
  percent: number;
  failed: number;
  promotions: number;
}

function RateTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: RateDatum }[] }) {
  const d = active ? payload?.[0]?.payload : undefined;
  if (!d) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2 py-1 text-xs shadow dark:border-zinc-700 dark:bg-zinc-900">
      <div className="font-medium">{d.env}</div>
      {d.failed} of {d.promotions} merged promotion{d.promotions === 1 ? "" : "s"} rolled back ({d.percent}%)
    </div>
  );
}

/** Change failure rate and median time to restore, per target environment. */
export function FailureCharts({ stats }: { stats: PromotionStats }) {
  const { changeFailureRate: cfr, timeToRestore: ttr } = stats;
  const data: RateDatum[] = cfr.byEnv
    .filter((e) => e.promotions > 0)
    .map((e) => ({ env: e.env, percent: Math.round((e.rate ?? 0) * 1000) / 10, failed: e.failed, promotions: e.promotions }));
  const restores = ttr.byEnv.filter((e) => e.samples.length > 0);
  return (
    <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
      <figure className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="change-failure-rate">
        <figcaption className="text-sm font-medium" title={FAILURE_DEFINITION}>
          Change failure rate, by environment
          <span className="ml-2 font-normal text-zinc-600 dark:text-zinc-400">
            {percent(cfr.overall.rate)} overall · {cfr.overall.failed} of {cfr.overall.promotions}
          </span>
        </figcaption>
        <p className="mb-2 mt-1 text-xs text-zinc-600 dark:text-zinc-400">{FAILURE_DEFINITION}</p>
        {data.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No merged promotions in this range yet.</p>
        ) : (
          <div
            className="h-40"
            role="img"
            aria-label={`Change failure rate: ${data.map((d) => `${d.env} ${d.percent}% (${d.failed} of ${d.promotions})`).join(", ")}`}
          >
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data}>
                <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
                <XAxis dataKey="env" fontSize={11} />
                <YAxis domain={[0, 100]} unit="%" fontSize={11} width={40} allowDecimals={false} />
                <Tooltip content={<RateTooltip />} />
                <Bar dataKey="percent" name="Rolled back" fill="#dc2626" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </figure>
      <figure className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
        <figcaption className="text-sm font-medium" title={RESTORE_DEFINITION}>
          Median time to restore
        </figcaption>
        <p className="mt-2 text-3xl font-semibold" data-testid="time-to-restore">
          {duration(ttr.overall.medianMs)}
        </p>
        <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          {RESTORE_DEFINITION} {ttr.overall.samples.length} restore{ttr.overall.samples.length === 1 ? "" : "s"}.
        </p>
        {restores.length > 0 && (
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 text-sm">
            {restores.map((e) => (
              <div key={e.env} className="contents">
                <dt className="text-zinc-600 dark:text-zinc-400">{e.env}</dt>
                <dd>
                  {duration(e.medianMs)}{" "}
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    ({e.samples.length} restore{e.samples.length === 1 ? "" : "s"})
                  </span>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </figure>
    </div>
  );
}
