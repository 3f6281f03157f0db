"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PromotionStats } from "@/lib/promotion/promotion-stats";
import { duration } from "./duration";
import { FAILURE_DEFINITION, FailureCharts, RESTORE_DEFINITION } from "./failure-charts";

const palette = ["#4f46e5", "#0891b2", "#059669", "#d97706", "#dc2626", "#7c3aed"];

/**
 * The four delivery figures: promotions per week by target environment and the median lead
 * time up the whole ladder, then change failure rate and time to restore per environment.
 */
export function StatsCharts({ stats }: { stats: PromotionStats }) {
  const data = stats.weeks.map((w) => ({ week: w.week, ...w.requested }));
  return (
    <div className="space-y-4">
      <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
        <figure className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
          <figcaption className="mb-2 text-sm font-medium">Promotions per week, by environment</figcaption>
          {data.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No promotions in this range yet.</p>
          ) : (
            <div className="h-48" role="img" aria-label={`Promotions per week: ${data.map((d) => d.week).join(", ")}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data}>
                  <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
                  <XAxis dataKey="week" fontSize={11} />
                  <YAxis allowDecimals={false} fontSize={11} width={28} />
                  <Tooltip />
                  <Legend />
                  {stats.environments.map((env, i) => (
                    <Bar key={env} dataKey={env} stackId="a" fill={palette[i % palette.length]} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </figure>
        <figure className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
          <figcaption className="text-sm font-medium">Median lead time</figcaption>
          <p className="mt-2 text-3xl font-semibold" data-testid="lead-time">
            {stats.leadTime.samples.some((s) => s.basis === "earliest-row") && stats.leadTime.medianMs !== null ? "≥ " : ""}
            {duration(stats.leadTime.medianMs)}
          </p>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            from first seen in {stats.leadTime.firstEnv ?? "the first environment"} to merged in{" "}
            {stats.leadTime.lastEnv ?? "the last"}
            {` · ${stats.leadTime.samples.length} digest${stats.leadTime.samples.length === 1 ? "" : "s"}`}
            {stats.leadTime.samples.some((s) => s.basis === "earliest-row") &&
              ` · a lower bound where no promotion out of ${stats.leadTime.firstEnv ?? "the first environment"} was recorded`}
          </p>
        </figure>
      </div>
      <FailureCharts stats={stats} />
      <details className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="figure-definitions">
        <summary className="cursor-pointer">How these figures are counted</summary>
        <dl className="mt-2 space-y-1">
          <dt className="font-medium text-zinc-800 dark:text-zinc-200">Promotion frequency</dt>
          <dd>Promotions requested per ISO week (UTC) by target environment, whatever became of them.</dd>
          <dt className="font-medium text-zinc-800 dark:text-zinc-200">Lead time</dt>
          <dd>
            From when a digest was first seen in the first environment to its first merge into the last, per app and digest; the
            median is shown.
          </dd>
          <dt className="font-medium text-zinc-800 dark:text-zinc-200">Change failure rate</dt>
          <dd>{FAILURE_DEFINITION}</dd>
          <dt className="font-medium text-zinc-800 dark:text-zinc-200">Time to restore</dt>
          <dd>{RESTORE_DEFINITION}</dd>
        </dl>
      </details>
    </div>
  );
}
