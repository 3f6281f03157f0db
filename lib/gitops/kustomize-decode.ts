/**
 * Kustomize reads a kustomization and a builtin plugin's config the way Go's encoding/json does
 * (sigs.k8s.io/yaml turns the YAML into JSON first): a key names a struct field whatever its case
 * (`Digest:`, `newtag:`, `Resources:`), and when two keys name the same field the one that sorts
 * last wins, because the YAML-to-JSON step writes a mapping's keys in sorted order. These readers
 * give every field its canonical spelling once, so the transformers read one name.
 */
import { copyMeta, isObject, type Json, type JsonObject } from "./yaml-source";

/**
 * A copy of `v` whose keys that fold to one of `fields` are spelled as the field is. Keys that name
 * no field are kept as written. Positions travel along, so warnings still point at the source.
 */
export function foldFields(v: Json | undefined, fields: readonly string[]): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  const byFold = foldsOf(fields);
  const winner = new Map<string, string>();
  for (const key of Object.keys(v)) {
    // A key spelled as its field (nearly all of them) needs no lower-casing.
    const field = byFold.exact.has(key) ? key : (byFold.folded.get(key.toLowerCase()) ?? key);
    const seen = winner.get(field);
    if (seen === undefined || key > seen) winner.set(field, key);
  }
  const out: JsonObject = {};
  for (const [field, key] of winner) {
    out[field] = v[key] as Json;
    copyMeta(v, key, out, field);
  }
  return out;
}

interface Folds {
  exact: ReadonlySet<string>;
  folded: ReadonlyMap<string, string>;
}
/** Each field list's lookups, made once per list (the lists are module constants, or short-lived). */
const foldCache = new WeakMap<readonly string[], Folds>();
function foldsOf(fields: readonly string[]): Folds {
  let f = foldCache.get(fields);
  if (!f) {
    f = { exact: new Set(fields), folded: new Map(fields.map((x) => [x.toLowerCase(), x])) };
    foldCache.set(fields, f);
  }
  return f;
}

/** A list whose mapping entries are folded to `fields` (other entries kept, for the caller to report). */
export function foldList(v: Json | undefined, fields: readonly string[]): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map((e) => (isObject(e) ? (foldFields(e, fields) ?? e) : e));
  for (let i = 0; i < v.length; i++) copyMeta(v, i, out, i);
  return out;
}

/** api/types/kustomization.go. */
const KUSTOMIZATION_FIELDS = [
  "apiVersion",
  "kind",
  "metadata",
  "openapi",
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patchesStrategicMerge",
  "patchesJson6902",
  "patches",
  "images",
  "imageTags",
  "replacements",
  "replicas",
  "vars",
  "sortOptions",
  "resources",
  "components",
  "crds",
  "bases",
  "configMapGenerator",
  "secretGenerator",
  "helmGlobals",
  "helmCharts",
  "helmChartInflationGenerator",
  "generatorOptions",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "buildMetadata",
] as const;

/** types.Image: an `images:` entry, or an ImageTagTransformer's `imageTag`. */
export const IMAGE_FIELDS = ["name", "newName", "tagSuffix", "newTag", "digest"] as const;
/** types.Patch: a `patches:` or `patchesJson6902:` entry. */
export const PATCH_FIELDS = ["path", "patch", "target", "options"] as const;
/** types.Selector: a patch's `target:`. */
export const SELECTOR_FIELDS = ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] as const;
/** types.Replica. */
export const REPLICA_FIELDS = ["name", "count"] as const;
/** types.FieldSpec. */
export const FIELD_SPEC_FIELDS = ["group", "version", "kind", "path", "create"] as const;

/**
 * A kustomization with its fields spelled canonically. `imageTags`, the old name of `images`,
 * joins it after its own entries, as Kustomize's fix-up does.
 */
export function readKustomization(doc: Json | undefined): JsonObject | undefined {
  const k = foldFields(doc, KUSTOMIZATION_FIELDS);
  if (!k) return undefined;
  if (Array.isArray(k.imageTags)) {
    const images: Json[] = [];
    for (const list of [k.images, k.imageTags])
      if (Array.isArray(list))
        list.forEach((e, i) => {
          images.push(e);
          copyMeta(list, i, images, images.length - 1);
        });
    k.images = images;
  }
  return k;
}
