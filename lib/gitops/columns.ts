/**
 * Addressing a cell: an environment (`production`), or one target of an environment that fans
 * out (`production/prod-eu-1`). Neither name can hold a `/`, so the split is unambiguous. The
 * app page, compare and the CLI use the same addresses.
 */
import type { CellPlan } from "./layout-plan";
import type { AppResult, TargetCell } from "./types";

export function splitColumn(column: string): { env: string; target?: string } {
  const cut = column.indexOf("/");
  return cut < 0 ? { env: column } : { env: column.slice(0, cut), target: column.slice(cut + 1) };
}

/** The cell at an address: the environment's own, or one of its targets'. */
export function cellAt(app: AppResult | undefined, column: string): TargetCell | undefined {
  const { env, target } = splitColumn(column);
  const cell = app?.environments[env];
  return target === undefined ? cell : cell?.targets?.[target];
}

/** The plan behind an address. */
export function planAt(plans: ReadonlyMap<string, CellPlan> | undefined, column: string): CellPlan | undefined {
  const { env, target } = splitColumn(column);
  const plan = plans?.get(env);
  return target === undefined ? plan : plan?.targets?.find((t) => t.target === target);
}

/** Every address of an app in ladder order: each environment, followed by its targets. */
export function columnsOf(app: AppResult, environments: readonly string[]): string[] {
  return environments.flatMap((env) => {
    const cell = app.environments[env];
    if (!cell) return [];
    return [env, ...Object.keys(cell.targets ?? {}).map((t) => `${env}/${t}`)];
  });
}
