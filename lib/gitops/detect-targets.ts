/**
 * Environments that fan out to targets (clusters, regions). Two ways a repository says so:
 * - **Flux wiring** (read first): a Flux Kustomization applies `apps/pip/${ENVIRONMENT}/${CLUSTER}`
 *   with the variables of the cluster that runs it, so each deployed directory comes with its
 *   environment and target by name; a directory no Flux Kustomization applies is not deployed.
 * - **Nesting** (guessed, and reported): `<root>/<env>/<target>/` leaves beside a shared
 *   `<root>/<env>/base/` that they all build on, each adding no workload of its own (they patch).
 * The environment's own directory is the one every target of that environment builds on and no
 * other environment does (`production/base`): promotions into the environment edit it.
 */
import { isWellKnownEnv, NON_ENV_DIRS } from "./env-names";
import { baseOf, dirOf } from "./file-store";
import { envAndTarget, type FluxLeaf } from "./flux-wiring";
import { type KResource, originalName } from "./kustomize-resource";
import type { ScanWarning } from "./types";

/** A deployable leaf of one target of one environment. */
export interface TargetCandidate {
  env: string;
  target: string;
  dir: string;
  /** Directory holding the per-environment directories (`apps/pip`, `components/web`). */
  root: string;
  /** The environment's shared directory, when one exists (see the file comment). */
  envDir?: string;
  how: "flux" | "nesting" | "clusters";
}

export interface TargetDetection {
  candidates: TargetCandidate[];
  /** Plain environments Flux names without a target variable (`ENVIRONMENT` only). */
  envLeaves: { env: string; dir: string; root: string }[];
  /** Roots whose environments Flux wiring decided: nothing else under them is an environment. */
  fluxRoots: Set<string>;
  ignored: { path: string; reason: string }[];
  guessed: string[];
  /** Leaves Ladder cannot place (a target without an environment): named, never guessed. */
  warnings: ScanWarning[];
}

/** Directories that hold one directory per target. */
const CLUSTER_PARENTS = new Set(["clusters", "cluster", "regions", "targets"]);

interface KLike {
  dir: string;
  kind: string;
  refs: string[];
}

/** Kustomization directories reachable from `dir` through resources/bases/components. */
function closureOf(dir: string, refsByDir: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const seen = new Set([dir]);
  const queue = [...(refsByDir.get(dir) ?? [])];
  while (queue.length > 0) {
    const d = queue.shift() ?? "";
    if (seen.has(d)) continue;
    seen.add(d);
    if (!refsByDir.has(d)) continue;
    out.push(d);
    queue.push(...(refsByDir.get(d) ?? []));
  }
  return out;
}

/** Splits a deployed directory at its environment segment: `apps/pip/test/00` → root `apps/pip`. */
function rootOf(dir: string, env: string): string {
  const segs = dir.split("/");
  const i = segs.lastIndexOf(env);
  return i > 0 ? segs.slice(0, i).join("/") : i === 0 ? "" : dirOf(dirOf(dir));
}

export function detectTargets(
  kinfos: readonly KLike[],
  flux: readonly FluxLeaf[],
  workloads: (dir: string) => readonly KResource[],
): TargetDetection {
  const refsByDir = new Map(kinfos.map((k) => [k.dir, k.refs]));
  const candidates: TargetCandidate[] = [];
  const envLeaves: TargetDetection["envLeaves"] = [];
  const ignored: TargetDetection["ignored"] = [];
  const guessed: string[] = [];
  const warnings: ScanWarning[] = [];
  const fluxRoots = new Set<string>();
  const taken = new Set<string>();

  // 1. Flux: every applied directory whose variables name an environment.
  for (const leaf of flux) {
    const { env, target } = envAndTarget(leaf.vars);
    if (!env && target && refsByDir.has(leaf.dir) && !taken.has(leaf.dir) && workloads(leaf.dir).length > 0) {
      taken.add(leaf.dir);
      fluxRoots.add(dirOf(leaf.dir));
      warnings.push({
        file: leaf.via,
        line: 1,
        message: `${leaf.dir}: Flux applies it for target '${target}' but no variable names its environment (ENVIRONMENT, ENV, STAGE…); not placed in the matrix — declare it in ladder.yaml (environments[].targets)`,
        code: "target-without-environment",
      });
      continue;
    }
    if (!env || !refsByDir.has(leaf.dir) || taken.has(leaf.dir)) continue;
    if (workloads(leaf.dir).length === 0) continue;
    taken.add(leaf.dir);
    const root = rootOf(leaf.dir, env);
    fluxRoots.add(root);
    if (target) candidates.push({ env, target, dir: leaf.dir, root, how: "flux" });
    else envLeaves.push({ env, dir: leaf.dir, root });
  }
  if (candidates.length > 0 || envLeaves.length > 0) {
    const roots = [...fluxRoots].map((r) => r || ".").join(", ");
    guessed.push(
      `${roots}: environments and targets from Flux Kustomizations (${[...new Set(candidates.map((c) => `${c.env}/${c.target}`))].join(", ") || envLeaves.map((e) => e.env).join(", ")})`,
    );
  }
  for (const k of kinfos) {
    if (taken.has(k.dir) || k.kind === "Component") continue;
    const under = [...fluxRoots].find((r) => k.dir.startsWith(r ? `${r}/` : ""));
    if (under === undefined) continue;
    const isLeafLike = !kinfos.some((o) => o.refs.includes(k.dir));
    if (isLeafLike && workloads(k.dir).length > 0)
      ignored.push({ path: k.dir, reason: "no Flux Kustomization applies this directory, so no cluster runs it" });
  }

  // 2. Nesting: <root>/<env>/<target> over <root>/<env>/base, adding no workload of its own.
  const nested: TargetCandidate[] = [];
  for (const k of kinfos) {
    if (taken.has(k.dir) || k.kind === "Component") continue;
    if ([...fluxRoots].some((r) => k.dir.startsWith(r ? `${r}/` : ""))) continue;
    const target = baseOf(k.dir);
    const envPath = dirOf(k.dir);
    const env = baseOf(envPath);
    const envBase = envPath ? `${envPath}/base` : "base";
    if (!envPath || NON_ENV_DIRS.has(target.toLowerCase()) || NON_ENV_DIRS.has(env.toLowerCase())) continue;
    if (!k.refs.includes(envBase) || !refsByDir.has(envBase)) continue;
    // `<app>/development` over `<app>/base` is an environment of an app, not a target of one.
    if (isWellKnownEnv(target) && !isWellKnownEnv(env)) continue;
    const mine = workloads(k.dir);
    if (mine.length === 0) continue;
    const shared = new Set(workloads(envBase).map((r) => `${r.kind}/${originalName(r)}`));
    if (!mine.every((r) => shared.has(`${r.kind}/${originalName(r)}`))) continue;
    nested.push({ env, target, dir: k.dir, root: dirOf(envPath), envDir: envBase, how: "nesting" });
  }
  // 2b. `clusters/<target>/…/<env>`: a per-cluster tree whose leaves are named after environments.
  for (const k of kinfos) {
    if (taken.has(k.dir) || k.kind === "Component" || nested.some((n) => n.dir === k.dir)) continue;
    if ([...fluxRoots].some((r) => k.dir.startsWith(r ? `${r}/` : ""))) continue;
    const segs = k.dir.split("/");
    const at = segs.findIndex((s) => CLUSTER_PARENTS.has(s.toLowerCase()));
    const env = segs[segs.length - 1] ?? "";
    const target = segs[at + 1];
    if (at < 0 || target === undefined || segs.length < at + 3 || !isWellKnownEnv(env)) continue;
    if (NON_ENV_DIRS.has(target.toLowerCase()) || workloads(k.dir).length === 0) continue;
    nested.push({ env, target, dir: k.dir, root: segs.slice(0, at + 1).join("/"), how: "clusters" });
  }
  // An unknown environment name needs a second environment of the same shape under the same root.
  const envsPerRoot = new Map<string, Set<string>>();
  for (const c of nested) envsPerRoot.set(c.root, (envsPerRoot.get(c.root) ?? new Set()).add(c.env));
  for (const c of nested) {
    if (c.how === "nesting" && !isWellKnownEnv(c.env) && (envsPerRoot.get(c.root)?.size ?? 0) < 2) continue;
    candidates.push(c);
    taken.add(c.dir);
  }
  for (const how of ["nesting", "clusters"] as const) {
    for (const r of new Set(candidates.filter((c) => c.how === how).map((c) => c.root))) {
      const here = candidates.filter((c) => c.root === r && c.how === how);
      guessed.push(
        `${r || "."}/${how === "nesting" ? "<env>/<target>: targets over each environment's base/" : "<target>/…/<env>: one tree per target, leaves named after environments"} (${[...new Set(here.map((c) => `${c.env}/${c.target}`))].join(", ")})`,
      );
    }
  }

  // 3. The environment's shared directory: built on by all its targets, by no other environment's.
  const byEnv = new Map<string, TargetCandidate[]>();
  for (const c of candidates) {
    const key = `${c.root}\u0000${c.env}`;
    byEnv.set(key, [...(byEnv.get(key) ?? []), c]);
  }
  for (const [key, list] of byEnv) {
    if (list.every((c) => c.envDir !== undefined)) continue;
    const [root] = key.split("\u0000");
    const others = new Set(
      candidates.filter((c) => c.root === root && !list.includes(c)).flatMap((c) => closureOf(c.dir, refsByDir)),
    );
    const closures = list.map((c) => closureOf(c.dir, refsByDir));
    const common = (closures[0] ?? []).filter((d) => closures.every((cl) => cl.includes(d)) && !others.has(d));
    const envDir = common[0];
    for (const c of list) c.envDir = envDir;
    if (envDir === undefined)
      guessed.push(
        `${dirOf(list[0]?.dir ?? "") || "."}: the targets of environment ${list[0]?.env} share no directory of their own; each target is edited on its own`,
      );
  }
  return { candidates, envLeaves, fluxRoots, ignored, guessed, warnings };
}
