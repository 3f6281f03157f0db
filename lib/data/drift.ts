import "server-only";
import type { Thinness } from "../gitops/overlay-diff";
import { diffEnvironments } from "../gitops/overlay-diff";
import { mapLimit } from "../util/map-limit";
import { PromiseCache } from "../util/promise-cache";
import { diffKey, type View } from "./compare";
import { getRepository } from "./repository-view";

export interface DriftPair {
  app: string;
  from: string;
  to: string;
  drift: number;
  expected: number;
  /** The first few unexpected differences, for a preview. */
  examples: { resource: string; keyPath: string; change: string }[];
  thinness: { from: Thinness | undefined; to: Thinness | undefined };
  error?: string;
}

export interface DriftReport {
  commit: string;
  pairs: DriftPair[];
  checkedPairs: number;
}

/**
 * One pair's drift, cached by the content address of the comparison (compare.ts diffKey): small
 * enough to keep every pair of a 5,000-app repository, so after a commit only the pairs that
 * read a changed file are diffed again (the full diffs stay in compare.ts's smaller cache).
 */
const pairCache = new PromiseCache<string, DriftPair>(60_000);
/** The report of a commit: every viewer of the page shares one computation per commit. */
const reportCache = new PromiseCache<string, DriftReport>(4);

function driftPair(view: View, app: string, from: string, to: string): Promise<DriftPair> {
  // Straight to diffEnvironments, not through compare.ts's cache of whole diffs: the report keeps
  // only this pair's counts and examples (15,000 whole diffs of a 5,000-app repository would not fit).
  // A failure is not cached (PromiseCache forgets a rejection): the next view tries that pair again.
  return pairCache
    .get(diffKey(view, app, from, to), () =>
      diffEnvironments(view.snapshot, view.scan, app, from, to).then((diff) => {
        const drift = diff.semantic.filter((c) => c.classification === "drift");
        return {
          app,
          from,
          to,
          drift: drift.length,
          expected: diff.semantic.length - drift.length,
          examples: drift.slice(0, 3).map((c) => ({ resource: c.resource, keyPath: c.keyPath, change: c.change })),
          thinness: { from: diff.thinness[from], to: diff.thinness[to] },
        };
      }),
    )
    .catch((error: unknown) => ({
      app,
      from,
      to,
      drift: 0,
      expected: 0,
      examples: [],
      thinness: { from: undefined, to: undefined },
      error: error instanceof Error ? error.message : String(error),
    }));
}

/** Every app × adjacent environment pair, worst drift first. */
export async function getDriftReport(options: { includeClean?: boolean } = {}): Promise<DriftReport> {
  const view = await getRepository().current();
  const key = `${view.snapshot.commit}|${options.includeClean ? "all" : "drift"}`;
  return reportCache.get(key, async () => {
    const wanted: [string, string, string][] = [];
    for (const app of view.scan.apps) {
      const envs = view.scan.environments.filter((e) => app.environments[e]);
      for (let i = 1; i < envs.length; i++) wanted.push([app.name, envs[i - 1] as string, envs[i] as string]);
    }
    // A few at a time: each diff holds both sides' documents while it runs.
    const pairs = await mapLimit(wanted, 4, ([app, from, to]) => driftPair(view, app, from, to));
    const shown = pairs
      .filter((p) => options.includeClean || p.drift > 0 || p.error)
      .sort((a, b) => b.drift - a.drift || a.app.localeCompare(b.app));
    // A report with a pair that could not be compared is not kept: the next view retries that pair.
    if (pairs.some((p) => p.error)) reportCache.forget(key);
    return { commit: view.snapshot.commit, pairs: shown, checkedPairs: pairs.length };
  });
}

/** Drift counts keyed `${app}|${from}|${to}`, for the matrix's chips. */
export async function getDriftCounts(): Promise<Map<string, number>> {
  const report = await getDriftReport();
  return new Map(report.pairs.map((p) => [`${p.app}|${p.from}|${p.to}`, p.drift]));
}
