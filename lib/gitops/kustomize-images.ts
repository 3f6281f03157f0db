/**
 * Kustomize's image transformer (`images:` and the builtin ImageTagTransformer), and the walk over
 * container mappings that reads images out of a build.
 */
import {
  applyImageTagEntry,
  type ImageTagEntry,
  isPlainImageName,
  kustomizeImageMatches,
  kustomizeImagePattern,
} from "./image-ref";
import { FIELD_SPEC_FIELDS, foldFields, foldList, IMAGE_FIELDS } from "./kustomize-decode";
import { type BuildContext, groupOf, imageSetters, type KResource, warn } from "./kustomize-resource";
import { compileGoRegex } from "./target-regex";
import type { SourcePos } from "./types";
import { getPos, isObject, type Json, type JsonObject, setPos, str } from "./yaml-source";

/** Calls `fn` for every container mapping under any `containers`/`initContainers`/`ephemeralContainers` list. */
export function visitContainers(v: Json, fn: (container: JsonObject, listKey: string) => void, depth = 0): void {
  if (depth > 64 || typeof v !== "object" || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) visitContainers(x, fn, depth + 1);
    return;
  }
  // Keys and a lookup rather than Object.entries: this walks every node of every resource of a scan.
  for (const k of Object.keys(v)) {
    const x = v[k] as Json;
    if ((k === "containers" || k === "initContainers" || k === "ephemeralContainers") && Array.isArray(x)) {
      for (const c of x) if (isObject(c)) fn(c, k);
    } else if (typeof x === "object" && x !== null) visitContainers(x, fn, depth + 1);
  }
}

/** One place the image transformer writes, as a Kustomize FieldSpec: a path, optionally for one kind. */
export interface ImageFieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  /** Slash-separated, `[]` after a field walks its sequence: `spec/template/spec/containers[]/image`. */
  path: string;
}

/**
 * The field specs `images:` runs with (Kustomize 5.5's builtin `images` config). An
 * ImageTagTransformer config has none unless it lists its own.
 */
export const DEFAULT_IMAGE_FIELD_SPECS: readonly ImageFieldSpec[] = [
  { path: "spec/containers[]/image" },
  { path: "spec/initContainers[]/image" },
  { path: "spec/template/spec/containers[]/image" },
  { path: "spec/template/spec/initContainers[]/image" },
];

type Setter = (holder: JsonObject, key: string) => void;

/**
 * The legacy pass (api/filters/imagetag/legacy.go): every `image` of every mapping in a sequence
 * under a field named `containers` or `initContainers`, at any depth (ephemeral containers are not
 * touched). Nested lists are visited before the list holding them, as Kustomize's walk does.
 */
function legacyPass(v: Json, set: Setter, depth = 0): void {
  if (depth > 64 || typeof v !== "object" || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) legacyPass(x, set, depth + 1);
    return;
  }
  // Setters only replace `image` strings, so reading each value as the walk reaches it is what
  // Object.entries' snapshot would give.
  for (const k of Object.keys(v)) {
    const x = v[k] as Json;
    if (typeof x !== "object" || x === null) continue;
    legacyPass(x, set, depth + 1);
    if ((k === "containers" || k === "initContainers") && Array.isArray(x))
      for (const c of x) if (isObject(c) && c.image !== undefined) set(c, "image");
  }
}

/** A field spec's path split into its segments, once per path. */
const segmentCache = new Map<string, readonly string[]>();
function segmentsOf(path: string): readonly string[] {
  let s = segmentCache.get(path);
  if (!s) {
    if (segmentCache.size > 1000) segmentCache.clear();
    s = path.split("/");
    segmentCache.set(path, s);
  }
  return s;
}

/** The field-spec pass: the value at each spec's path (from segment i on), never created where it is missing. */
function fieldSpecPass(node: Json, segments: readonly string[], set: Setter, i = 0): void {
  const head = segments[i];
  if (head === undefined || !isObject(node)) return;
  const seq = head.endsWith("[]");
  const key = seq ? head.slice(0, -2) : head;
  const next = node[key];
  if (next === undefined) return;
  if (seq) {
    if (Array.isArray(next)) for (const x of next) fieldSpecPass(x, segments, set, i + 1);
  } else if (i + 1 === segments.length) set(node, key);
  else fieldSpecPass(next, segments, set, i + 1);
}

function specApplies(fs: ImageFieldSpec, r: KResource): boolean {
  if (fs.kind && fs.kind !== r.kind) return false;
  if (fs.group && fs.group !== groupOf(r.apiVersion)) return false;
  if (fs.version && fs.version !== (r.apiVersion.split("/").pop() ?? "")) return false;
  return true;
}

/** A config's `fieldSpecs:` list (decoded like Go: any key case). */
export function readFieldSpecs(v: Json | undefined): ImageFieldSpec[] {
  const out: ImageFieldSpec[] = [];
  for (const e of foldList(v, FIELD_SPEC_FIELDS) ?? []) {
    if (!isObject(e)) continue;
    const path = str(e.path);
    if (!path) continue;
    out.push({ path, group: str(e.group), version: str(e.version), kind: str(e.kind) });
  }
  return out;
}

/**
 * One image transformer run, as Kustomize makes one per `images:` entry: the legacy pass over every
 * resource, then the field-spec pass. Both change only images the entry matches, so an entry whose
 * result still matches (a `tagSuffix` without `newName`) applies twice where a field spec also
 * reaches the container, exactly as `kustomize build` does (`nginx:1` → `nginx:1-s-s`).
 */
export function applyImageEntry(
  ctx: BuildContext,
  acc: KResource[],
  raw: Json,
  fieldSpecs: readonly ImageFieldSpec[],
  file: string,
  fallback: SourcePos | undefined,
): void {
  const e = foldFields(raw, IMAGE_FIELDS);
  if (!e) return;
  const name = str(e.name);
  if (!name) {
    warn(ctx, fallback, file, "images entry without a name", "images-error");
    return;
  }
  const re = isPlainImageName(name) ? { ok: true as const } : compileGoRegex(kustomizeImagePattern(name));
  if (!re.ok) {
    warn(
      ctx,
      getPos(e, "name") ?? fallback,
      file,
      `images name '${name}' is not a valid Go regular expression, so it matches nothing (kustomize build fails on it): ${re.error}`,
      "images-error",
    );
    return;
  }
  const entry: ImageTagEntry = {
    name,
    newName: str(e.newName),
    newTag: str(e.newTag),
    digest: str(e.digest),
    tagSuffix: str(e.tagSuffix),
  };
  // The deciding line is the most specific field set.
  const decidingKey = entry.digest
    ? "digest"
    : entry.newTag
      ? "newTag"
      : entry.tagSuffix
        ? "tagSuffix"
        : entry.newName
          ? "newName"
          : "name";
  const pos = getPos(e, decidingKey) ?? fallback;
  const set: Setter = (holder, key) => {
    const image = str(holder[key]);
    if (image === undefined || !kustomizeImageMatches(image, name)) return;
    holder[key] = applyImageTagEntry(image, entry);
    setPos(holder, key, pos);
    imageSetters.set(holder, "images-transformer");
  };
  for (const r of acc) {
    if (r.kind === "CustomResourceDefinition") continue;
    legacyPass(r.obj, set);
    for (const fs of fieldSpecs) if (specApplies(fs, r)) fieldSpecPass(r.obj, segmentsOf(fs.path), set);
  }
}

/** A kustomization's `images:` list, each entry its own transformer run with the default field specs. */
export function applyImages(ctx: BuildContext, acc: KResource[], images: Json[], kFile: string): void {
  images.forEach((e, i) => {
    applyImageEntry(ctx, acc, e, DEFAULT_IMAGE_FIELD_SPECS, kFile, getPos(images, i));
  });
}
