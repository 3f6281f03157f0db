/** Well-known environment names and their ladder order. */

const RANKS: [RegExp, number][] = [
  [/^(local|sandbox|dev|develop|development|feature|preview|ephemeral)$/, 0],
  [/^(int|integration|ci)$/, 1],
  [/^(load|perf|performance|loadtest)$/, 2],
  [/^(test|testing|qa|sit|e2e|verification)$/, 3],
  [/^(stage|staging|stg|uat|preprod|pre-prod|pre|demo|canary|nonprod|non-prod)$/, 4],
  [/^(prod|production|prd|live)$/, 5],
];

/** Directory names that hold one directory per environment. */
export const LAYOUT_PARENTS = new Set([
  "overlays",
  "overlay",
  "envs",
  "env",
  "environments",
  "environment",
  "stages",
  "variants-by-env",
]);

/** Directory names that say nothing about which app lives inside. */
export const GENERIC_DIRS = new Set([
  "k8s",
  "kube",
  "kubernetes",
  "deploy",
  "deployment",
  "deployments",
  "kustomize",
  "manifests",
  "config",
  "configs",
  "gitops",
  "helm",
  "charts",
  "chart",
  "apps",
  "applications",
  "services",
  "src",
  "workloads",
  ".deploy",
  "infra",
  "ops",
  "clusters",
  "cluster",
  ...LAYOUT_PARENTS,
]);

/** Directories that are shared layers, never environments. */
export const NON_ENV_DIRS = new Set([
  "base",
  "bases",
  "common",
  "shared",
  "components",
  "component",
  "templates",
  "template",
  "crds",
  "lib",
  "modules",
  "variants",
]);

function tokens(name: string): string[] {
  return name.toLowerCase().split(/[-_.]/).filter(Boolean);
}

/** Rank of an environment name in the usual ladder, from its first recognised token; undefined when unknown. */
export function envRank(name: string): number | undefined {
  const lower = name.toLowerCase();
  for (const [re, r] of RANKS) if (re.test(lower)) return r;
  for (const t of tokens(name)) for (const [re, r] of RANKS) if (re.test(t)) return r;
  return undefined;
}

export function isWellKnownEnv(name: string): boolean {
  const lower = name.toLowerCase();
  if (RANKS.some(([re]) => re.test(lower))) return true;
  const first = tokens(name)[0];
  return first !== undefined && RANKS.some(([re]) => re.test(first));
}

/**
 * Orders environments: known ranks first in ladder order; names with the same rank keep the order they
 * were first seen in (callers pass discovery order); unknown names go last in discovery order.
 */
export function orderEnvironments(names: readonly string[], chain?: readonly string[]): string[] {
  const seen = [...new Set(names)];
  const chainIndex = new Map((chain ?? []).map((n, i) => [n, i]));
  return seen
    .map((n, i) => ({ n, i, r: envRank(n) }))
    .sort((a, b) => {
      const ca = chainIndex.get(a.n);
      const cb = chainIndex.get(b.n);
      if (ca !== undefined && cb !== undefined) return ca - cb;
      const ra = a.r ?? 99;
      const rb = b.r ?? 99;
      if (ra !== rb) return ra - rb;
      // A name extending another (`production-fwi` after `production`) is its variant and comes after it.
      if (b.n.startsWith(`${a.n}-`)) return -1;
      if (a.n.startsWith(`${b.n}-`)) return 1;
      return a.i - b.i;
    })
    .map((x) => x.n);
}
