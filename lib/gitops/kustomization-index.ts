/**
 * Every kustomization in the tree with its kind and local references, read cheaply (no build, no
 * patches applied): what layout detection needs to tell bases from overlays.
 */
import { baseOf, dirOf, type FileStore, isRemoteRef, KUSTOMIZATION_NAMES, resolveRepoPath } from "./file-store";
import { isObject, type Json, str } from "./yaml-source";

export interface KInfo {
  dir: string;
  file: string;
  kind: string;
  refs: string[];
  /** Patch files it applies (never environments themselves). */
  patchFiles: string[];
  /**
   * Every local file it names (resources, patches, transformer and generator configs,
   * configurations, CRDs, replacement sources), whatever the extension: Kustomize reads
   * `patch.json` or an extensionless file as readily as YAML, so the scan fetches them too.
   */
  inputs: string[];
}

const FILE_LISTS = [
  "resources",
  "bases",
  "patchesStrategicMerge",
  "transformers",
  "generators",
  "validators",
  "configurations",
  "crds",
];
const PATH_ENTRIES = ["patches", "patchesJson6902", "replacements"];

/** Reads every kustomization's kind and local references (cheap: no patches applied). */
export function kustomizations(store: FileStore): KInfo[] {
  const out: KInfo[] = [];
  for (const p of store.files.keys()) {
    const info = kustomizationInfo(store, p);
    if (info) out.push(info);
  }
  return out;
}

/** One file's KInfo: undefined unless it is the kustomization its directory builds from. */
export function kustomizationInfo(store: FileStore, p: string): KInfo | undefined {
  const n = baseOf(p);
  if (!(KUSTOMIZATION_NAMES as readonly string[]).includes(n)) return undefined;
  const dir = dirOf(p);
  if (store.kustomizationIn(dir) !== p) return undefined;
  const doc = store.peek(p).docs[0]?.value;
  const k = isObject(doc) ? doc : {};
  const refs: string[] = [];
  for (const field of ["resources", "bases", "components"]) {
    const list = k[field];
    if (!Array.isArray(list)) continue;
    for (const r of list) {
      if (typeof r !== "string" || isRemoteRef(r)) continue;
      const target = resolveRepoPath(dir, r);
      if (target !== undefined) refs.push(target);
    }
  }
  const patchFiles: string[] = [];
  const patchRef = (r: Json | undefined) => {
    const ref = typeof r === "string" ? r : isObject(r) ? str(r.path) : undefined;
    if (ref === undefined || ref.includes("\n") || isRemoteRef(ref)) return;
    const target = resolveRepoPath(dir, ref);
    if (target !== undefined) patchFiles.push(target);
  };
  for (const field of ["patches", "patchesStrategicMerge", "patchesJson6902"]) {
    const list = k[field];
    if (Array.isArray(list)) for (const r of list) patchRef(r);
  }
  const inputs = new Set<string>();
  const input = (r: Json | undefined) => {
    if (typeof r !== "string" || r.includes("\n") || isRemoteRef(r)) return;
    const target = resolveRepoPath(dir, r);
    if (target !== undefined && store.isFile(target)) inputs.add(target);
  };
  for (const field of FILE_LISTS) {
    const list = k[field];
    if (Array.isArray(list)) for (const r of list) input(r);
  }
  for (const field of PATH_ENTRIES) {
    const list = k[field];
    if (Array.isArray(list)) for (const r of list) input(isObject(r) ? r.path : undefined);
  }
  if (isObject(k.openapi)) input(k.openapi.path);
  return { dir, file: p, kind: str(k.kind) ?? "Kustomization", refs, patchFiles, inputs: [...inputs] };
}
