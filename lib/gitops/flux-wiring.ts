/**
 * What the repository itself says deploys where, when Flux runs it: Flux `Kustomization` objects
 * name the directories they apply (`spec.path`), with `${VAR}` placeholders filled from the
 * `postBuild.substitute` of the Kustomization that applied them. Following them from the roots
 * (Kustomizations with a literal path, typically one per cluster) gives each deployed directory
 * with the variables in force there, e.g. `apps/pip/test/00` with `ENVIRONMENT=test, CLUSTER=00`.
 * A directory no Flux Kustomization reaches is not deployed, whatever its name says.
 */
import { type FileStore, isYamlPath } from "./file-store";
import type { BuildResult } from "./kustomize-resource";
import { isObject, type Json, type JsonObject, str } from "./yaml-source";

/** A directory some Flux Kustomization applies, and the substitution variables in force there. */
export interface FluxLeaf {
  dir: string;
  vars: Readonly<Record<string, string>>;
  /** The file of the Flux Kustomization whose `spec.path` named it. */
  via: string;
}

const FLUX_KUSTOMIZE_API = /^kustomize\.toolkit\.fluxcd\.io\//;
/** Variable names that say which environment, and which target (cluster, region), a path is for. */
const ENV_VARS = ["ENVIRONMENT", "ENV", "ENV_NAME", "ENVIRONMENT_NAME", "STAGE"];
const TARGET_VARS = ["CLUSTER", "CLUSTER_NAME", "CLUSTER_ID", "REGION", "TARGET"];
const MAX_DEPTH = 4;

function substituteOf(obj: JsonObject): Record<string, string> {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const post = isObject(spec.postBuild) ? spec.postBuild : {};
  const sub = isObject(post.substitute) ? post.substitute : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sub)) if (typeof v === "string" || typeof v === "number") out[k] = String(v);
  return out;
}

function isFluxKustomization(obj: Json): obj is JsonObject {
  return isObject(obj) && obj.kind === "Kustomization" && FLUX_KUSTOMIZE_API.test(str(obj.apiVersion) ?? "");
}

/** Flux's envsubst: `${VAR}`, `${VAR:=default}`, `${VAR:-default}`; undefined when a variable has no value. */
export function fluxSubstitute(text: string, vars: Readonly<Record<string, string>>): string | undefined {
  let missing = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]([^}]*))?\}/g, (_, name: string, def: string | undefined) => {
    const v = vars[name] ?? def;
    if (v === undefined) missing = true;
    return v ?? "";
  });
  return missing ? undefined : out;
}

function normalisePath(p: string): string {
  return p.replace(/^\.\//, "").replace(/^\/+/, "").replace(/\/+$/, "");
}

/**
 * Every directory Flux applies, from every root. `build` is the static Kustomize build (cached by
 * the caller). Variables accumulate down the chain: a child's path is substituted with its
 * parent's variables, and its own `postBuild.substitute` adds to them for its children.
 */
export function fluxLeaves(store: FileStore, build: (dir: string) => BuildResult): FluxLeaf[] {
  const roots: { dir: string; vars: Record<string, string>; via: string }[] = [];
  for (const p of store.files.keys()) {
    if (!isYamlPath(p)) continue;
    const text = store.text(p);
    if (!text?.includes("kustomize.toolkit.fluxcd.io")) continue;
    for (const d of store.peek(p).docs) {
      if (!isFluxKustomization(d.value)) continue;
      const spec = isObject(d.value.spec) ? d.value.spec : {};
      const raw = str(spec.path);
      if (!raw || raw.includes("${")) continue;
      const dir = normalisePath(raw);
      if (store.kustomizationIn(dir) === undefined && !store.isDir(dir)) continue;
      roots.push({ dir, vars: substituteOf(d.value), via: p });
    }
  }
  const leaves = new Map<string, FluxLeaf>();
  // `vars` substituted this directory's path (they name its environment and target); `inner`
  // adds its own Kustomization's substitutions, which apply to what it deploys.
  const walk = (dir: string, vars: Record<string, string>, via: string, depth: number, inner = vars) => {
    const key = `${dir}\u0000${JSON.stringify(vars)}`;
    if (leaves.has(key) || depth > MAX_DEPTH) return;
    leaves.set(key, { dir, vars, via });
    if (store.kustomizationIn(dir) === undefined) return;
    for (const r of build(dir).resources) {
      if (!isFluxKustomization(r.obj)) continue;
      const spec = isObject(r.obj.spec) ? r.obj.spec : {};
      const raw = str(spec.path);
      const substituted = raw === undefined ? undefined : fluxSubstitute(raw, inner);
      if (substituted === undefined) continue;
      const child = normalisePath(substituted);
      if (child === dir || (store.kustomizationIn(child) === undefined && !store.isDir(child))) continue;
      // The child's own variables were part of the parent's output, so the parent's substitution
      // already applied to them (`ENVIRONMENT: "${ENVIRONMENT}"` passes the value down).
      const own: Record<string, string> = {};
      for (const [k, v] of Object.entries(substituteOf(r.obj))) {
        const value = fluxSubstitute(v, inner);
        if (value !== undefined) own[k] = value;
      }
      walk(child, inner, r.file, depth + 1, { ...inner, ...own });
    }
  };
  for (const r of roots) walk(r.dir, r.vars, r.via, 0);
  return [...leaves.values()];
}

/** The environment and target a leaf's variables name (`ENVIRONMENT`, `CLUSTER`, …), when they do. */
export function envAndTarget(vars: Readonly<Record<string, string>>): { env?: string; target?: string } {
  const pick = (names: readonly string[]) => {
    for (const n of names) for (const [k, v] of Object.entries(vars)) if (k.toUpperCase() === n && v) return v;
    return undefined;
  };
  return { env: pick(ENV_VARS), target: pick(TARGET_VARS) };
}
