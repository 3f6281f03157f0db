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

function mergeList(target: Json[], patch: Json[], key: string, builtin: boolean): void {
  if (patch.some((item) => isListDirective(item) && item.$patch === "replace")) {
    // The patch's other items become the list, as written.
    target.length = 0;
    for (let i = 0; i < patch.length; i++) {
      const item = patch[i];
      if (item === undefined || isListDirective(item)) continue;
      target.push(cloneJson(item));
      copyMeta(patch, i, target, target.length - 1);
    }
    return;
  }
  for (let i = 0; i < patch.length; i++) {
    const item = patch[i];
    if (!isObject(item)) continue;
    const keyVal = item[key];
    const idx = target.findIndex((t) => isObject(t) && t[key] === keyVal);
    if (item.$patch === "delete") {
      if (idx >= 0) target.splice(idx, 1);
      continue;
    }
    const existing = idx >= 0 ? target[idx] : undefined;
    if (isObject(existing)) strategicMerge(existing, item, builtin);
    else {
      target.push(cloneJson(item));
      copyMeta(patch, i, target, target.length - 1);
    }
  }
}

export function isBuiltin(r: KResource): boolean {
  return BUILTIN_GROUPS.has(groupOf(r.apiVersion)) || r.apiVersion === "v1";
}
