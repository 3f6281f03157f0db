/**
 * Charts for /history: promotions per ISO week by target environment, and the median lead
 * time from "first seen in the first environment" to "merged in the last".
 *
 * First seen, per (repository, app, digest): the `sourceSince` recorded on the promotion out of
 * the first environment — since when git history showed the digest running there when it was
 * promoted. When no promotion out of the first environment was recorded (e.g. history began
 * later), the earliest evidence Ladder has stands in — the `sourceSince` of any promotion of that
 * digest (it ran in a later environment since then, so it was in the first one before), else the
 * earliest promotion row; the lead time is then a lower bound.
 */
import type { Db } from "../db/client";
import type { PromotionStatus } from "../generated/prisma/client";
import { type PromotionFilters, promotionWhere } from "./history";
import { isoWeek, isoWeeksBetween } from "./iso-week";

export interface WeeklyCount {
  /** "2026-W05" */
  week: string;
  /** Monday 00:00 UTC, ISO. */
  start: string;
  /** Promotions requested that week, by target environment. */
  requested: Record<string, number>;
  /** Of those, merged. */
  merged: Record<string, number>;
}

export interface LeadTimeSample {
  app: string;
  digest: string;
  firstSeen: string;
  mergedAt: string;
  ms: number;
  /** "evidence": first-env git history; "earliest-row": the earliest promotion row (lower bound). */
  basis: "evidence" | "earliest-row";
}

export interface PromotionStats {
  environments: string[];
  weeks: WeeklyCount[];
  leadTime: {
    firstEnv: string | null;
    lastEnv: string | null;
    medianMs: number | null;
    samples: LeadTimeSample[];
  };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface StatRow {
  repository: string;
  app: string;
  digest: string;
  fromEnv: string;
  toEnv: string;
  status: PromotionStatus;
  createdAt: Date;
  closedAt: Date | null;
  sourceSince: Date | null;
}

/**
 * `environments` is the ladder order (scan.environments): the first and last rungs bound the
 * lead time. The `env` filter narrows the weekly counts only.
 */
export async function promotionStats(
  db: Db,
  filters: PromotionFilters,
  options: { environments: readonly string[]; maxRows?: number },
): Promise<PromotionStats> {
  const select = {
    repository: true,
    app: true,
    digest: true,
    fromEnv: true,
    toEnv: true,
    status: true,
    createdAt: true,
    closedAt: true,
    sourceSince: true,
  } as const;
  const take = options.maxRows ?? 50_000;
  const rows: StatRow[] = await db.promotion.findMany({
    where: promotionWhere(filters),
    select,
    orderBy: { createdAt: "asc" },
    take,
  });
  const environments = [...options.environments];
  for (const r of rows) if (!environments.includes(r.toEnv)) environments.push(r.toEnv);

  const weeks: WeeklyCount[] = [];
  const first = rows[0];
  const last = rows.at(-1);
  if (first && last) {
    const byKey = new Map<string, WeeklyCount>();
    for (const w of isoWeeksBetween(filters.from ?? first.createdAt, last.createdAt)) {
      const entry: WeeklyCount = { week: w.key, start: w.start.toISOString(), requested: {}, merged: {} };
      for (const env of environments) {
        entry.requested[env] = 0;
        entry.merged[env] = 0;
      }
      byKey.set(w.key, entry);
      weeks.push(entry);
    }
    for (const r of rows) {
      const w = byKey.get(isoWeek(r.createdAt).key);
      if (!w) continue;
      w.requested[r.toEnv] = (w.requested[r.toEnv] ?? 0) + 1;
      if (r.status === "MERGED") w.merged[r.toEnv] = (w.merged[r.toEnv] ?? 0) + 1;
    }
  }

  const firstEnv = options.environments[0] ?? null;
  const lastEnv = options.environments.at(-1) ?? null;
  const samples: LeadTimeSample[] = [];
  if (firstEnv && lastEnv && firstEnv !== lastEnv) {
    const { env: _env, status: _status, ...rest } = filters;
    const mergedLast = rows.filter((r) => r.toEnv === lastEnv && r.status === "MERGED" && r.closedAt);
    const digests = [...new Set(mergedLast.map((r) => r.digest))];
    // Every row of those digests, whatever the date filter: the first sighting may predate it.
    const related: StatRow[] =
      digests.length === 0
        ? []
        : await db.promotion.findMany({
            where: { ...promotionWhere({ ...rest, from: undefined, to: undefined }), digest: { in: digests } },
            select,
          });
    const done = new Set<string>();
    for (const m of mergedLast.sort((a, b) => (a.closedAt?.getTime() ?? 0) - (b.closedAt?.getTime() ?? 0))) {
      const key = `${m.repository}|${m.app}|${m.digest}`;
      if (done.has(key) || !m.closedAt) continue;
      done.add(key);
      const same = related.filter((r) => r.repository === m.repository && r.app === m.app && r.digest === m.digest);
      const evidence = same
        .filter((r) => r.fromEnv === firstEnv && r.sourceSince)
        .map((r) => r.sourceSince?.getTime() ?? Number.POSITIVE_INFINITY);
      const basis: LeadTimeSample["basis"] = evidence.length > 0 ? "evidence" : "earliest-row";
      const fallback = same.flatMap((r) => [r.createdAt.getTime(), ...(r.sourceSince ? [r.sourceSince.getTime()] : [])]);
      const firstSeen = Math.min(...(evidence.length > 0 ? evidence : fallback), m.createdAt.getTime());
      samples.push({
        app: m.app,
        digest: m.digest,
        firstSeen: new Date(firstSeen).toISOString(),
        mergedAt: m.closedAt.toISOString(),
        ms: Math.max(0, m.closedAt.getTime() - firstSeen),
        basis,
      });
    }
  }
  return {
    environments,
    weeks,
    leadTime: { firstEnv, lastEnv, medianMs: median(samples.map((s) => s.ms)), samples },
  };
}
