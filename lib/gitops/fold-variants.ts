import type { AppPlan } from "./layout-plan";

/**
 * Overlays such as `init-db-staging` or `production-fwi-ingress` exist for only some apps and carry an
 * environment's name as prefix or suffix: they are variants of that environment, folded into its cell.
 */
export function foldVariants(apps: Map<string, AppPlan>, guessed: string[]): void {
  const count = new Map<string, number>();
  for (const a of apps.values()) for (const e of a.cells.keys()) count.set(e, (count.get(e) ?? 0) + 1);
  const envs = [...count.keys()];
  const folds = new Map<string, string>();
  for (const v of envs) {
    const candidates = envs.filter(
      (e) => e !== v && (v.startsWith(`${e}-`) || v.endsWith(`-${e}`)) && (count.get(e) ?? 0) > (count.get(v) ?? 0),
    );
    // The longest matching name is the closest environment (`production-fwi-ingress` → `production-fwi`).
    const target = candidates.sort((a, b) => b.length - a.length)[0];
    if (target) folds.set(v, target);
  }
  for (const [v, e] of folds) {
    let folded = 0;
    for (const a of apps.values()) {
      const cell = a.cells.get(v);
      if (!cell) continue;
      const into = a.cells.get(e);
      if (into) {
        into.extraPaths.push(cell.path);
        into.ownDirs.push(...cell.ownDirs);
      } else a.cells.set(e, { ...cell, env: e });
      a.cells.delete(v);
      folded++;
    }
    if (folded) guessed.push(`'${v}' folded into '${e}' (a variant present for ${folded} app(s), named after '${e}')`);
  }
}
