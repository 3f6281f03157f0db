/** Kustomize's namespace and name prefix/suffix transformers: they move and rename, keeping old ids. */
import { type KResource, storePreviousId } from "./kustomize-resource";

/** Kinds without a namespace: the namespace transformer leaves them alone. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "APIService",
  "Node",
  "CSIDriver",
]);

/** `namespace:` (or a NamespaceTransformer): every namespaced resource moves; `unsetOnly` keeps set ones. */
export function setNamespace(acc: readonly KResource[], ns: string, unsetOnly = false): void {
  for (const r of acc) {
    if (CLUSTER_SCOPED.has(r.kind) || (unsetOnly && r.namespace) || r.namespace === ns) continue;
    storePreviousId(r);
    r.namespace = ns;
  }
}

/** `namePrefix:`/`nameSuffix:` (or a PrefixSuffixTransformer) on every resource but namespaces and CRDs. */
export function addNameAffixes(acc: readonly KResource[], prefix: string, suffix: string): void {
  if (!prefix && !suffix) return;
  for (const r of acc) {
    if (r.kind === "Namespace" || r.kind === "CustomResourceDefinition") continue;
    storePreviousId(r);
    r.name = `${prefix}${r.name}${suffix}`;
  }
}
