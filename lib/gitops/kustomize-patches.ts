/**
 * Kustomize patches: loading a patch body (a file or inline YAML) and applying each of its documents
 * to the resources it names or targets, as a strategic merge or as JSON 6902 operations.
 */
import { resolveRepoPath } from "./file-store";
import { visitContainers } from "./kustomize-images";
import { applyJson6902 } from "./kustomize-json6902";
import { type BuildContext, imageSetters, type KResource, warn } from "./kustomize-resource";
import { type PatchTarget, targetMatches } from "./kustomize-selectors";
import { isBuiltin, strategicMerge } from "./kustomize-strategic-merge";
import type { SourcePos } from "./types";
import { cloneJson, getPos, isObject, type Json, type JsonObject, loadYaml, setPos, str } from "./yaml-source";

/** Loads a patch body (a file path or inline YAML), returning its documents. */
export function loadPatchDocs(
  ctx: BuildContext,
  dir: string,
  ref: string,
  kFile: string,
  pos: SourcePos | undefined,
): { docs: Json[]; file: string } | undefined {
  // Inline patches are YAML text containing a newline or a mapping/sequence start.
  if (/\n/.test(ref) || /^\s*(?:-\s|\{|\[|[\w$]+:\s)/.test(ref)) {
    const inline = loadYaml(ref, kFile);
    // Inline line numbers are relative to the block; shift them so they point into the kustomization.
    const offset = (pos?.line ?? 1) - 1;
    for (const w of inline.warnings) ctx.warnings.push({ ...w, line: w.line + offset });
    const docs = inline.docs.map((d) => d.value);
    for (const d of docs) shiftLines(d, kFile, offset + 1);
    return { docs, file: kFile };
  }
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
    : acc.filter(
        (r) => r.kind === str(doc.kind) && (r.name === str(meta.name) || r.previousNames.includes(str(meta.name) ?? "")),
      );
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
