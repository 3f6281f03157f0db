/** Kustomize's strategic merge patch: maps merged key by key, known lists merged by their key field. */
import { groupOf, type KResource } from "./kustomize-resource";
import { cloneJson, copyMeta, isObject, type Json, type JsonObject } from "./yaml-source";

/** List fields Kubernetes merges by key in strategic merge patches (the rest are replaced). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  imagePullSecrets: "name",
  hostAliases: "ip",
};

/** Kinds whose schema Kustomize knows; for custom resources it uses JSON merge (lists replaced). */
const BUILTIN_GROUPS = new Set([
  "",
  "v1",
  "apps",
  "batch",
  "extensions",
  "networking.k8s.io",
  "policy",
  "autoscaling",
  "rbac.authorization.k8s.io",
]);

/** Strategic merge of `patch` into `target`, keeping each value's source position. */
export function strategicMerge(target: JsonObject, patch: JsonObject, builtin: boolean): void {
  for (const [k, pv] of Object.entries(patch)) {
    if (k === "$patch" || k.startsWith("$setElementOrder") || k.startsWith("$deleteFromPrimitiveList") || k === "$retainKeys")
      continue;
    const tv = target[k];
    if (pv === null) {
      delete target[k];
    } else if (isObject(pv) && isObject(tv)) {
      if (pv.$patch === "delete") delete target[k];
      else if (pv.$patch === "replace") {
        const copy = cloneJson(pv);
        delete copy.$patch;
        target[k] = copy;
        copyMeta(patch, k, target, k);
      } else strategicMerge(tv, pv, builtin);
    } else if (Array.isArray(pv) && Array.isArray(tv) && builtin && MERGE_KEYS[k]) {
      mergeList(tv, pv, MERGE_KEYS[k] ?? "name", builtin);
    } else {
      const copy = cloneJson(pv);
      if (isObject(copy)) delete copy.$patch;
      target[k] = copy;
      copyMeta(patch, k, target, k);
    }
  }
}

/** A list item that is only a directive (`- $patch: replace`): it says what to do with the whole list. */
function isListDirective(item: Json | undefined): item is JsonObject {
  return isObject(item) && Object.keys(item).length === 1 && typeof item.$patch === "string";
}

/**
 * Merges a keyed list the way Kustomize (kyaml) does: the patch's items come first, in the patch's
 * order, each merged into the item of the same key, then the items the patch does not name, in
 * their own order. (`containers: [a, b]` patched with `[c, a]` is `[c, a, b]`: a JSON 6902 path
 * `containers/0` after such a merge means `c`.) `$patch: replace` takes the patch's items alone.
 */
function mergeList(target: Json[], patch: Json[], key: string, builtin: boolean): void {
  const replace = patch.some((item) => isListDirective(item) && item.$patch === "replace");
  // Each result item with the list and index it comes from, so positions move with it.
  const merged: { from: Json[]; at: number }[] = [];
  const used = new Set<number>();
  for (let i = 0; i < patch.length; i++) {
    const item = patch[i];
    if (item === undefined || isListDirective(item)) continue;
    if (replace || !isObject(item)) {
      merged.push({ from: patch, at: i });
      continue;
    }
    const idx = target.findIndex((t, j) => !used.has(j) && isObject(t) && t[key] === item[key]);
    if (idx >= 0) used.add(idx);
    if (item.$patch === "delete") continue;
    const existing = idx >= 0 ? target[idx] : undefined;
    if (isObject(existing)) {
      strategicMerge(existing, item, builtin);
      merged.push({ from: target, at: idx });
    } else merged.push({ from: patch, at: i });
  }
  if (!replace) for (let j = 0; j < target.length; j++) if (!used.has(j)) merged.push({ from: target, at: j });
  const staged: Json[] = [];
  for (const m of merged) {
    const v = m.from[m.at] as Json;
    staged.push(m.from === patch ? cloneJson(v) : v);
    copyMeta(m.from, m.at, staged, staged.length - 1);
  }
  target.length = 0;
  for (let k = 0; k < staged.length; k++) {
    target.push(staged[k] as Json);
    copyMeta(staged, k, target, k);
  }
}

export function isBuiltin(r: KResource): boolean {
  return BUILTIN_GROUPS.has(groupOf(r.apiVersion)) || r.apiVersion === "v1";
}
