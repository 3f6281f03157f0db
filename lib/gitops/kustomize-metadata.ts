/**
 * Kustomize's metadata transformers, the ones that decide which resources a later patch selects:
 * namespace and name prefix/suffix (which move and rename, keeping old ids), labels and annotations.
 */
import { type KResource, storePreviousId } from "./kustomize-resource";
import { isObject, type Json, str } from "./yaml-source";

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

/** A `key: value` mapping of strings (numbers and booleans read as Kustomize's YAML reads them). */
export function stringMap(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    const s = typeof x === "boolean" ? String(x) : str(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** `commonLabels`, `labels:` entries or a LabelTransformer writing metadata/labels. */
export function addLabels(acc: readonly KResource[], labels: Record<string, string>): void {
  if (Object.keys(labels).length === 0) return;
  for (const r of acc) r.addedLabels = { ...r.addedLabels, ...labels };
}

/** `commonAnnotations` or an AnnotationsTransformer writing metadata/annotations. */
export function addAnnotations(acc: readonly KResource[], annotations: Record<string, string>): void {
  if (Object.keys(annotations).length === 0) return;
  for (const r of acc) r.addedAnnotations = { ...r.addedAnnotations, ...annotations };
}
