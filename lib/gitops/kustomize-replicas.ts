/** Kustomize's `replicas:` transformer. */
import { foldFields, REPLICA_FIELDS } from "./kustomize-decode";
import type { KResource } from "./kustomize-resource";
import { isObject, type Json, str } from "./yaml-source";

/** Kinds Kustomize's `replicas:` field scales. */
const SCALABLE = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

/** `replicas: [{name, count}]`: sets spec.replicas on the named workloads, as Kustomize does. */
export function applyReplicas(acc: KResource[], entries: Json[]): void {
  for (const raw of entries) {
    const e = foldFields(raw, REPLICA_FIELDS);
    if (!e) continue;
    const name = str(e.name);
    const count = typeof e.count === "number" ? e.count : Number(str(e.count));
    if (!name || !Number.isInteger(count)) continue;
    for (const r of acc) {
      if (!SCALABLE.has(r.kind) || (r.name !== name && !r.previousIds.some((id) => id.name === name))) continue;
      const spec = isObject(r.obj.spec) ? r.obj.spec : {};
      spec.replicas = count;
      r.obj.spec = spec;
    }
  }
}
