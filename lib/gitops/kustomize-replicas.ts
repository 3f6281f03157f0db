/** Kustomize's `replicas:` transformer. */
import type { KResource } from "./kustomize-resource";
import { isObject, type Json, str } from "./yaml-source";

/** Kinds Kustomize's `replicas:` field scales. */
const SCALABLE = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

/** `replicas: [{name, count}]`: sets spec.replicas on the named workloads, as Kustomize does. */
export function applyReplicas(acc: KResource[], entries: Json[]): void {
  for (const e of entries) {
    if (!isObject(e)) continue;
    const name = str(e.name);
    const count = typeof e.count === "number" ? e.count : Number(str(e.count));
    if (!name || !Number.isInteger(count)) continue;
    for (const r of acc) {
      if (!SCALABLE.has(r.kind) || (r.name !== name && !r.previousNames.includes(name))) continue;
      const spec = isObject(r.obj.spec) ? r.obj.spec : {};
      spec.replicas = count;
      r.obj.spec = spec;
    }
  }
}
