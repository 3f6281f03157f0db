import "server-only";
import type { Thinness } from "../gitops/overlay-diff";
import { cachedDiff } from "./compare";
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

/** Every app × adjacent environment pair, worst drift first. */
export async function getDriftReport(options: { includeClean?: boolean } = {}): Promise<DriftReport> {
  const view = await getRepository().current();
  const jobs: Promise<DriftPair>[] = [];
  for (const app of view.scan.apps) {
    const envs = view.scan.environments.filter((e) => app.environments[e]);
    for (let i = 1; i < envs.length; i++) {
      const from = envs[i - 1] as string;
      const to = envs[i] as string;
      jobs.push(
        cachedDiff(view, app.name, from, to).then(
          (diff) => {
            const drift = diff.semantic.filter((c) => c.classification === "drift");
            return {
              app: app.name,
              from,
              to,
              drift: drift.length,
              expected: diff.semantic.length - drift.length,
              examples: drift.slice(0, 3).map((c) => ({ resource: c.resource, keyPath: c.keyPath, change: c.change })),
              thinness: { from: diff.thinness[from], to: diff.thinness[to] },
            };
          },
          (error: unknown) => ({
            app: app.name,
            from,
            to,
            drift: 0,
            expected: 0,
            examples: [],
            thinness: { from: undefined, to: undefined },
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      );
    }
  }
  const pairs = await Promise.all(jobs);
  const shown = pairs
    .filter((p) => options.includeClean || p.drift > 0 || p.error)
    .sort((a, b) => b.drift - a.drift || a.app.localeCompare(b.app));
  return { commit: view.snapshot.commit, pairs: shown, checkedPairs: pairs.length };
}

/** Drift counts keyed `${app}|${from}|${to}`, for the matrix's chips. */
export async function getDriftCounts(): Promise<Map<string, number>> {
  const report = await getDriftReport();
  return new Map(report.pairs.map((p) => [`${p.app}|${p.from}|${p.to}`, p.drift]));
}
