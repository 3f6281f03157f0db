/**
 * Kustomize layouts without a ladder.yaml: per-environment overlay directories (under `overlays/`,
 * `envs/`, … or named like an environment, env-first trees, targets of an environment), grouped
 * by their layout root, each group named after its app: from the path, or from what it deploys.
 */
import { appNameFromPath } from "./app-names";
import type { DetectDeps } from "./detect-layout";
import { detectTargets } from "./detect-targets";
import { isWellKnownEnv, LAYOUT_PARENTS, NON_ENV_DIRS } from "./env-names";
import { baseOf, dirOf } from "./file-store";
import { fluxLeaves } from "./flux-wiring";
import type { KInfo } from "./kustomization-index";
import { originalName } from "./kustomize-resource";
import type { CellPlan } from "./layout-plan";
import type { ScanWarning } from "./types";
import { workloadsOf } from "./workload-kinds";

interface EnvCandidate {
  env: string;
  dir: string;
  /** Directory holding the per-env directories; candidates sharing it form one group. */
  root: string;
  /** App named by the layout itself (`overlays/<env>/<app>`). */
  app?: string;
  /** A target (cluster, region) of `env`, and the environment's shared directory. */
  target?: string;
  envDir?: string;
}

/** Adds one cell per Kustomize overlay found, and says how each was found and named. */
export function detectKustomize(
  deps: DetectDeps,
  kinfos: readonly KInfo[],
  referenced: ReadonlySet<string>,
  addCell: (app: string, cell: CellPlan, envDir?: string) => void,
  guessed: string[],
  ignored: { path: string; reason: string }[],
  warnings: ScanWarning[],
  /** Directories an Argo CD Application already deploys as a cell. */
  claimedByArgo: (dir: string) => boolean = () => false,
): void {
  const { store } = deps;
  const candidates: EnvCandidate[] = [];
  const targets = detectTargets(kinfos, fluxLeaves(store, deps.build), (dir) => workloadsOf(deps.build(dir).resources));
  guessed.push(...targets.guessed);
  ignored.push(...targets.ignored);
  warnings.push(...targets.warnings);
  const claimed = new Set([...targets.candidates.map((c) => c.dir), ...targets.envLeaves.map((e) => e.dir)]);
  for (const c of targets.candidates) {
    candidates.push({ env: c.env, dir: c.dir, root: c.root, target: c.target, envDir: c.envDir });
    if (c.envDir) claimed.add(c.envDir);
  }
  for (const e of targets.envLeaves) candidates.push({ env: e.env, dir: e.dir, root: e.root });
  const underFluxRoot = (dir: string) => [...targets.fluxRoots].some((r) => dir.startsWith(r ? `${r}/` : ""));

  for (const k of kinfos) {
    if (claimed.has(k.dir) || underFluxRoot(k.dir)) continue;
    const name = baseOf(k.dir);
    const parent = dirOf(k.dir);
    const parentName = baseOf(parent);
    const grand = dirOf(parent);
    if (k.kind === "Component") continue;
    if (/^(flux-system|argocd|argo-cd|kargo)$/i.test(name)) {
      ignored.push({ path: k.dir, reason: "GitOps controller bootstrap, not an environment" });
      continue;
    }
    if (NON_ENV_DIRS.has(name.toLowerCase())) continue;
    const underLayoutParent = LAYOUT_PARENTS.has(parentName.toLowerCase());
    if (underLayoutParent) {
      candidates.push({ env: name, dir: k.dir, root: parent });
      continue;
    }
    if (referenced.has(k.dir)) continue;
    if (isWellKnownEnv(name) && k.dir !== "") {
      candidates.push({ env: name, dir: k.dir, root: parent });
      continue;
    }
    // Env-first trees: `overlays/<env>/<app>` or `<env>/<app>` with a well-known env name.
    if (parentName && (LAYOUT_PARENTS.has(baseOf(grand).toLowerCase()) || isWellKnownEnv(parentName))) {
      const b = deps.build(k.dir);
      if (workloadsOf(b.resources).length === 0 && b.remote.length === 0) {
        ignored.push({ path: k.dir, reason: "kustomization in an environment directory deploys no workloads" });
        continue;
      }
      candidates.push({ env: parentName, dir: k.dir, root: grand, app: name });
      continue;
    }
    if (k.dir !== "")
      ignored.push({
        path: k.dir,
        reason: "kustomization outside an environment layout (single variant or not referenced); not an environment",
      });
  }

  // Group overlays by their layout root; one group is one app or one multi-app set.
  const groups = new Map<string, EnvCandidate[]>();
  for (const c of candidates) {
    if (claimedByArgo(c.dir)) continue;
    const key = c.app ? `${c.root}\u0000${c.app}` : c.root;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }

  /** The plan of one candidate's directory (a target's leaf carries its target name). */
  const planOf = (c: EnvCandidate, select?: CellPlan["select"]): CellPlan => ({
    env: c.env,
    format: "kustomize",
    path: c.dir,
    extraPaths: [],
    ownDirs: [c.dir],
    ...(select ? { select } : {}),
    ...(c.target !== undefined ? { target: c.target } : {}),
  });
  /**
   * Targets name no app in their path (`clusters/<target>/…`, `<root>/<env>/<target>`): what they
   * deploy does. One workload, or workloads defined in one directory, is one app; workloads
   * defined in several directories are one app each.
   */
  const targetApps = (list: readonly EnvCandidate[]): { named?: string; perWorkload: boolean } | undefined => {
    if (!list.some((c) => c.target !== undefined)) return undefined;
    const defs = new Set<string>();
    const names = new Set<string>();
    for (const c of list)
      for (const r of workloadsOf(deps.build(c.dir).resources)) {
        defs.add(dirOf(r.file));
        names.add(originalName(r));
      }
    if (names.size === 1) return { named: [...names][0], perWorkload: false };
    if (defs.size === 1)
      return { named: appNameFromPath([...defs][0] ?? "") ?? appNameFromPath(list[0]?.root ?? ""), perWorkload: false };
    return { perWorkload: true };
  };

  for (const [, list] of groups) {
    const first = list[0];
    if (!first) continue;
    const fanOut = targetApps(list);
    const named = fanOut ? fanOut.named : (first.app ?? appNameFromPath(first.root));
    if (named) {
      for (const c of list) addCell(named, planOf(c), c.envDir);
      guessed.push(
        `${first.root}/<env>${first.app ? `/${first.app}` : ""}: Kustomize overlays of app '${named}' (${[...new Set(list.map((c) => c.env))].join(", ")})`,
      );
      continue;
    }
    // No app in the path: name apps after what the overlays deploy.
    const builds = list.map((c) => ({ c, b: deps.build(c.dir) }));
    const byOrigin = new Map<string, Set<string>>();
    const names = new Set<string>();
    for (const { c, b } of builds) {
      for (const r of workloadsOf(b.resources)) {
        names.add(originalName(r));
        if (store.isDir(r.origin) && !r.origin.startsWith(`${c.dir}/`)) {
          const s = byOrigin.get(r.origin) ?? new Set();
          s.add(originalName(r));
          byOrigin.set(r.origin, s);
        }
      }
    }
    const baseNames = [...new Set([...byOrigin.keys()].map(baseOf))];
    if (!fanOut && baseNames.length >= 2 && baseNames.every((n) => !NON_ENV_DIRS.has(n.toLowerCase()))) {
      for (const c of list) {
        for (const origin of byOrigin.keys()) {
          addCell(baseOf(origin), planOf(c, { origins: [origin] }), c.envDir);
        }
      }
      guessed.push(
        `${first.root}/<env>: one app per shared base (${baseNames.join(", ")}), environments ${list.map((c) => c.env).join(", ")}`,
      );
    } else if (names.size === 1) {
      const only = [...names][0] ?? "app";
      for (const c of list) addCell(only, planOf(c), c.envDir);
      guessed.push(
        `${first.root || "."}/<env>: single app named after its only workload '${only}' (${list.map((c) => c.env).join(", ")})`,
      );
    } else if (names.size > 1) {
      for (const c of list) for (const n of names) addCell(n, planOf(c, { workloads: [n] }), c.envDir);
      guessed.push(`${first.root || "."}/<env>: one app per workload (${[...names].join(", ")})`);
    } else {
      const fallback = appNameFromPath(first.root) ?? "app";
      for (const c of list) addCell(fallback, planOf(c), c.envDir);
      guessed.push(`${first.root || "."}/<env>: overlays with no local workloads, app '${fallback}'`);
    }
  }
}
