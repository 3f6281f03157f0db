/**
 * The four delivery figures of /history, each one pure function over promotion rows (the
 * database query is promotion-stats.ts's): promotion frequency, lead time, change failure rate
 * and time to restore. docs/history.md defines them in words; the tests beside this file hold
 * them to it.
 */
import type { PromotionStatus } from "../generated/prisma/client";
import { isoWeek, isoWeeksBetween } from "./iso-week";

/** A promotion as the figures read it. */
export interface DeliveryRow {
  id: string;
  repository: string;
  app: string;
  fromEnv: string;
  toEnv: string;
  /** What was promoted: the digest, else `tag:<tag>` (promotionReference). */
  reference: string;
  rollback: boolean;
  status: PromotionStatus;
  requestedBy: string;
  createdAt: Date;
  /** When the pull request was merged (status MERGED) or closed. */
  closedAt: Date | null;
  /** Since when the reference ran in the source environment when it was promoted. */
  sourceSince: Date | null;
}

/** The reference a promotion row moves: its digest, else `tag:<tag>` for a tag-only one. */
export function promotionReference(row: { digest: string | null; tag?: string | null }): string {
  return row.digest ?? `tag:${row.tag ?? ""}`;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// ---------------------------------------------------------------- promotion frequency

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

/**
 * Promotions requested per ISO week (UTC) by target environment, and how many of them merged:
 * every week from `from` (default: the first row's) to the last row's, empty weeks included.
 */
export function promotionFrequency(
  rows: readonly Pick<DeliveryRow, "toEnv" | "status" | "createdAt">[],
  options: { environments: readonly string[]; from?: Date },
): WeeklyCount[] {
  if (rows.length === 0) return [];
  const times = rows.map((r) => r.createdAt.getTime());
  const first = new Date(Math.min(...times));
  const last = new Date(Math.max(...times));
  const environments = [...options.environments];
  for (const r of rows) if (!environments.includes(r.toEnv)) environments.push(r.toEnv);
  const weeks: WeeklyCount[] = [];
  const byKey = new Map<string, WeeklyCount>();
  for (const w of isoWeeksBetween(options.from ?? first, last)) {
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
  return weeks;
}

// ---------------------------------------------------------------- lead time

export interface LeadTimeSample {
  app: string;
  /** The digest, or `tag:<tag>` for a tag-only promotion. */
  reference: string;
  firstSeen: string;
  mergedAt: string;
  ms: number;
  /** "evidence": first-env git history; "earliest-row": the earliest promotion row (lower bound). */
  basis: "evidence" | "earliest-row";
}

/**
 * One sample per (repository, app, reference) merged into `lastEnv` among `selected`: from when
 * it was first seen in `firstEnv` to its first merge into `lastEnv`. First seen is the
 * `sourceSince` of a promotion out of `firstEnv` among `history` (every row of that reference);
 * without one, the earliest evidence Ladder has — any row's `sourceSince` or `createdAt` — stands
 * in and the sample is a lower bound ("earliest-row").
 */
export function leadTime(
  selected: readonly DeliveryRow[],
  history: readonly DeliveryRow[],
  options: { firstEnv: string | null; lastEnv: string | null },
): LeadTimeSample[] {
  const { firstEnv, lastEnv } = options;
  if (!firstEnv || !lastEnv || firstEnv === lastEnv) return [];
  const mergedLast = selected
    .filter((r) => r.toEnv === lastEnv && r.status === "MERGED" && r.closedAt)
    .sort((a, b) => (a.closedAt?.getTime() ?? 0) - (b.closedAt?.getTime() ?? 0));
  const key = (r: DeliveryRow) => `${r.repository}|${r.app}|${r.reference}`;
  const byKey = new Map<string, DeliveryRow[]>();
  for (const r of [...history, ...selected]) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r]);
  const done = new Set<string>();
  const samples: LeadTimeSample[] = [];
  for (const m of mergedLast) {
    if (done.has(key(m)) || !m.closedAt) continue;
    done.add(key(m));
    const same = byKey.get(key(m)) ?? [];
    const evidence = same
      .filter((r) => r.fromEnv === firstEnv && r.sourceSince)
      .map((r) => r.sourceSince?.getTime() ?? Number.POSITIVE_INFINITY);
    const basis: LeadTimeSample["basis"] = evidence.length > 0 ? "evidence" : "earliest-row";
    const fallback = same.flatMap((r) => [r.createdAt.getTime(), ...(r.sourceSince ? [r.sourceSince.getTime()] : [])]);
    const firstSeen = Math.min(...(evidence.length > 0 ? evidence : fallback), m.createdAt.getTime());
    samples.push({
      app: m.app,
      reference: m.reference,
      firstSeen: new Date(firstSeen).toISOString(),
      mergedAt: m.closedAt.toISOString(),
      ms: Math.max(0, m.closedAt.getTime() - firstSeen),
      basis,
    });
  }
  return samples;
}

// ---------------------------------------------------------------- change failures

/** A failing promotion and the rollback that replaced it. */
export interface ChangeFailure {
  promotion: DeliveryRow;
  rollback: DeliveryRow;
  /** From the promotion's merge to the rollback's merge. */
  restoreMs: number;
}

function mergedAt(r: DeliveryRow): number | undefined {
  return r.status === "MERGED" && r.closedAt ? r.closedAt.getTime() : undefined;
}

/** Merge order; ties (one second, one webhook) by request time, then id, so the order is total. */
function byMerge(a: DeliveryRow, b: DeliveryRow): number {
  return (
    (mergedAt(a) ?? 0) - (mergedAt(b) ?? 0) ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Every failing promotion in `history` with the rollback that replaced it. Per (repository, app,
 * environment), walking the merged rows in merge order: a merged rollback fails the merged
 * non-rollback promotion that was running when it merged — the last one merged before it, unless
 * a rollback already replaced that one. The digest a rollback returns to does not matter; rows
 * that never merged (open, closed, failed) change nothing.
 */
export function changeFailures(history: readonly DeliveryRow[]): ChangeFailure[] {
  const groups = new Map<string, DeliveryRow[]>();
  for (const r of history) {
    if (mergedAt(r) === undefined) continue;
    const key = `${r.repository}|${r.app}|${r.toEnv}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const failures: ChangeFailure[] = [];
  for (const rows of groups.values()) {
    let running: DeliveryRow | undefined;
    for (const r of rows.sort(byMerge)) {
      if (!r.rollback) {
        running = r;
        continue;
      }
      if (running) failures.push({ promotion: running, rollback: r, restoreMs: (mergedAt(r) ?? 0) - (mergedAt(running) ?? 0) });
      running = undefined;
    }
  }
  return failures.sort((a, b) => byMerge(a.promotion, b.promotion));
}

export interface FailureOptions {
  /** Ladder order; environments only the rows name follow it. */
  environments: readonly string[];
  /** Which promotions the figure counts (the page's filters); whether one failed is read from all of `history`. */
  counts?: (row: DeliveryRow) => boolean;
}

export interface FailureRate {
  /** Merged non-rollback promotions counted. */
  promotions: number;
  /** Of those, failing. */
  failed: number;
  /** failed / promotions; null without promotions. */
  rate: number | null;
}

export interface ChangeFailureRate {
  byEnv: ({ env: string } & FailureRate)[];
  overall: FailureRate;
}

function environmentsOf(history: readonly DeliveryRow[], environments: readonly string[]): string[] {
  const out = [...environments];
  for (const r of history) if (!out.includes(r.toEnv)) out.push(r.toEnv);
  return out;
}

function rate(promotions: number, failed: number): FailureRate {
  return { promotions, failed, rate: promotions === 0 ? null : failed / promotions };
}

/** Counted promotions that merged and were not rollbacks. */
function deployments(history: readonly DeliveryRow[], counts: (row: DeliveryRow) => boolean): DeliveryRow[] {
  return history.filter((r) => !r.rollback && mergedAt(r) !== undefined && counts(r));
}

/**
 * Change failure rate per target environment: of the merged non-rollback promotions counted,
 * the share that failed (changeFailures). Rollbacks are the remedy, not changes: they are in
 * neither the numerator nor the denominator.
 */
export function changeFailureRate(history: readonly DeliveryRow[], options: FailureOptions): ChangeFailureRate {
  const counts = options.counts ?? (() => true);
  const done = deployments(history, counts);
  const failedIds = new Set(changeFailures(history).map((f) => f.promotion.id));
  const byEnv = environmentsOf(history, options.environments).map((env) => {
    const here = done.filter((r) => r.toEnv === env);
    return { env, ...rate(here.length, here.filter((r) => failedIds.has(r.id)).length) };
  });
  return { byEnv, overall: rate(done.length, done.filter((r) => failedIds.has(r.id)).length) };
}

export interface RestoreTimes {
  samples: ChangeFailure[];
  medianMs: number | null;
}

export interface TimeToRestore {
  byEnv: ({ env: string } & RestoreTimes)[];
  overall: RestoreTimes;
}

/**
 * Time to restore per target environment: for each counted failing promotion, from its merge to
 * the merge of the rollback that replaced it; the median of those.
 */
export function timeToRestore(history: readonly DeliveryRow[], options: FailureOptions): TimeToRestore {
  const counts = options.counts ?? (() => true);
  const failures = changeFailures(history).filter((f) => counts(f.promotion));
  const times = (samples: ChangeFailure[]): RestoreTimes => ({ samples, medianMs: median(samples.map((s) => s.restoreMs)) });
  return {
    byEnv: environmentsOf(history, options.environments).map((env) => ({
      env,
      ...times(failures.filter((f) => f.promotion.toEnv === env)),
    })),
    overall: times(failures),
  };
}
