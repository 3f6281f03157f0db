/**
 * Kustomize patches: loading a patch body (a file of any extension, or inline YAML or JSON text)
 * and applying each of its documents to the resources it names or targets, as a strategic merge
 * or as JSON 6902 operations.
 */
import { resolveRepoPath } from "./file-store";
import { foldFields, PATCH_FIELDS } from "./kustomize-decode";
import { visitContainers } from "./kustomize-images";
import { applyJson6902 } from "./kustomize-json6902";
import { type BuildContext, imageSetters, type KResource, warn } from "./kustomize-resource";
import { idMatches, type PatchTarget, parseTarget, targetMatches } from "./kustomize-selectors";
import { isBuiltin, strategicMerge } from "./kustomize-strategic-merge";
import type { SourcePos } from "./types";
import { cloneJson, getPos, isObject, type Json, type JsonObject, loadYaml, setPos, str } from "./yaml-source";

/** A patch body's documents and the file they are read from (the kustomization, for inline text). */
export interface PatchBody {
  docs: Json[];
  file: string;
}

/** Inline patch text (YAML or JSON) written in the kustomization, with lines pointing into it. */
export function loadInlinePatch(ctx: BuildContext, text: string, kFile: string, pos: SourcePos | undefined): PatchBody {
  const inline = loadYaml(text, kFile);
  // Inline line numbers are relative to the block; shift them so they point into the kustomization.
  const offset = (pos?.line ?? 1) - 1;
  for (const w of inline.warnings) ctx.warnings.push({ ...w, line: w.line + offset });
  const docs = inline.docs.map((d) => d.value);
  for (const d of docs) shiftLines(d, kFile, offset + 1);
  return { docs, file: kFile };
}

/** A patch file, whatever its extension (`.yaml`, `.yml`, `.json`, none): Kustomize reads them all as YAML. */
export function loadPatchFile(
  ctx: BuildContext,
  dir: string,
  ref: string,
  kFile: string,
  pos: SourcePos | undefined,
): PatchBody | undefined {
  const p = resolveRepoPath(dir, ref);
  if (p === undefined) {
    warn(ctx, pos, kFile, `patch path escapes the repository: ${ref}`, "path-escape");
    return undefined;
  }
  if (!ctx.store.isFile(p)) {
    warn(ctx, pos, kFile, `patch file not found: ${p}`, "not-found");
    return undefined;
  }
  ctx.files.add(p);
  // Shared parse: patch bodies are cloned where they are applied, never mutated here.
  const loaded = ctx.store.peek(p);
  ctx.warnings.push(...loaded.warnings);
  return { docs: loaded.docs.map((d) => d.value), file: p };
}

/**
 * Whether Kustomize takes a list entry as text written inline: it first reads the string itself as
 * YAML objects and only when that fails loads it as a path (a path reads as a plain string).
 * `patchesStrategicMerge`, `transformers` and `generators` entries are told apart this way.
 */
export function isInlineText(entry: string): boolean {
  const asText = loadYaml(entry, "<inline>");
  return asText.warnings.length === 0 && asText.docs.length > 0 && asText.docs.every((d) => isObject(d.value));
}

/** A `patchesStrategicMerge` entry: a patch written inline, or a file. */
export function loadStrategicMergeEntry(
  ctx: BuildContext,
  dir: string,
  entry: string,
  kFile: string,
  pos: SourcePos | undefined,
): PatchBody | undefined {
  return isInlineText(entry) ? loadInlinePatch(ctx, entry, kFile, pos) : loadPatchFile(ctx, dir, entry, kFile, pos);
}

/** A `patches:`/`patchesJson6902:` entry's body: `path` is a file, `patch` inline text. */
export function loadPatchEntry(
  ctx: BuildContext,
  dir: string,
  entry: JsonObject,
  kFile: string,
  fallback: SourcePos | undefined,
): PatchBody | undefined {
  const path = str(entry.path);
  const patch = str(entry.patch);
  if (path !== undefined && patch !== undefined) {
    warn(ctx, getPos(entry, "path") ?? fallback, kFile, "patch and path can't be set at the same time", "patch-error");
    return undefined;
  }
  if (path !== undefined) return loadPatchFile(ctx, dir, path, kFile, getPos(entry, "path") ?? fallback);
  if (patch !== undefined) return loadInlinePatch(ctx, patch, kFile, getPos(entry, "patch") ?? fallback);
  return undefined;
}

function shiftLines(v: Json, file: string, offset: number): void {
  const fix = (container: object, key: string | number) => {
    const p = getPos(container, key);
    if (p) setPos(container, key, { file, line: p.line + offset });
  };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      fix(v, i);
      shiftLines(v[i] as Json, file, offset);
    }
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      fix(v, k);
      shiftLines(x, file, offset);
    }
  }
}

export function applyPatchDoc(
  ctx: BuildContext,
  acc: KResource[],
  doc: Json,
  target: PatchTarget | undefined,
  file: string,
  pos: SourcePos | undefined,
): void {
  if (Array.isArray(doc)) {
    if (!target) {
      warn(ctx, pos, file, "JSON6902 patch without a target", "patch-error");
      return;
    }
    const matched = acc.filter((r) => targetMatches(target, r));
    for (const r of matched) {
      const err = applyJson6902(r.obj, doc, doc);
      if (err) warn(ctx, pos, file, `JSON6902 patch on ${r.kind}/${r.name} failed: ${err}`, "patch-error");
    }
    return;
  }
  if (!isObject(doc)) return;
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const matches = target
    ? acc.filter((r) => targetMatches(target, r))
    : acc.filter((r) => idMatches(r, str(doc.apiVersion) ?? "", str(doc.kind) ?? "", str(meta.name) ?? "", str(meta.namespace)));
  if (!target && matches.length === 0) {
    warn(ctx, pos, file, `patch target ${str(doc.kind) ?? "?"}/${str(meta.name) ?? "?"} not found`, "patch-no-target");
  }
  for (const r of matches) {
    const patch = cloneJson(doc);
    if (target && isObject(patch.metadata)) {
      // With an explicit target the patch's own name is not applied (Kustomize ignores it).
      delete patch.metadata.name;
      delete patch.metadata.namespace;
    }
    if (doc.$patch === "delete") {
      acc.splice(acc.indexOf(r), 1);
      continue;
    }
    strategicMerge(r.obj, patch, isBuiltin(r));
    markPatchedImages(r.obj, patch);
  }
}

function markPatchedImages(target: JsonObject, patch: JsonObject): void {
  // After a strategic merge, containers whose image came from the patch are tagged as patched.
  visitContainers(patch, (pc) => {
    if (typeof pc.image !== "string") return;
    visitContainers(target, (tc) => {
      if (tc.name === pc.name && tc.image === pc.image) imageSetters.set(tc, "patch");
    });
  });
}

/** `patchesStrategicMerge:` (and a PatchStrategicMergeTransformer's `paths`): each entry's documents merged by id. */
export function runStrategicMergePatches(ctx: BuildContext, acc: KResource[], dir: string, list: Json[], kFile: string): void {
  list.forEach((ref, i) => {
    if (typeof ref !== "string") return;
    const pos = getPos(list, i);
    const body = loadStrategicMergeEntry(ctx, dir, ref, kFile, pos);
    for (const d of body?.docs ?? []) applyPatchDoc(ctx, acc, d, undefined, body?.file ?? kFile, pos);
  });
}

/**
 * One `patches:` entry (a PatchTransformer): a strategic merge or JSON 6902 operations, told apart
 * by the body itself (a sequence is operations), applied to its target or, without one, by id.
 * A `patchesJson6902:` entry (`json6902: true`) is operations only and must have a target.
 */
export function runPatchEntry(
  ctx: BuildContext,
  acc: KResource[],
  dir: string,
  raw: Json,
  kFile: string,
  fallback: SourcePos | undefined,
  options: { json6902?: boolean } = {},
): void {
  const entry = foldFields(raw, PATCH_FIELDS);
  if (!entry) return;
  const target = parseTarget(ctx, entry.target, kFile);
  if (options.json6902 && !target) {
    warn(ctx, fallback, kFile, "patchesJson6902 entry without a target", "patch-error");
    return;
  }
  const body = loadPatchEntry(ctx, dir, entry, kFile, fallback);
  if (!body) return;
  const pos = getPos(entry, entry.path !== undefined ? "path" : "patch") ?? fallback;
  for (const d of body.docs) applyPatchDoc(ctx, acc, options.json6902 && !Array.isArray(d) ? [] : d, target, body.file, pos);
}
