/**
 * A static Kustomize build: the walk over a kustomization's resources, bases and components, and the
 * order its transformers run in. The transformers themselves live beside it: kustomize-patches.ts
 * (with kustomize-selectors.ts, kustomize-strategic-merge.ts, kustomize-json6902.ts),
 * kustomize-images.ts, kustomize-replicas.ts; the shared model is kustomize-resource.ts.
 */
import { type FileStore, resolveRepoPath } from "./file-store";
import { applyImages } from "./kustomize-images";
import { applyPatchDoc, loadPatchDocs } from "./kustomize-patches";
import { applyReplicas } from "./kustomize-replicas";
import { type BuildContext, type BuildResult, type KResource, toResource, warn } from "./kustomize-resource";
import { parseTarget } from "./kustomize-selectors";
import type { ScanWarning } from "./types";
import { getPos, isObject, type Json, str } from "./yaml-source";

const REMOTE_RE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\.git(?:\/\/|$)|\/\/[^/]/i;

export function isRemoteRef(ref: string): boolean {
  return REMOTE_RE.test(ref);
}

const MAX_DEPTH = 40;

/**
 * Builds a kustomization directory statically, following Kustomize's order: resources, then components
 * (each acting on everything accumulated so far), then this layer's patches, name/namespace changes and
 * `images:`. Local references only; remote ones are recorded, never fetched.
 */
function buildDir(ctx: BuildContext, dir: string, stack: string[], acc: KResource[], asComponent: boolean): void {
  const kFile = ctx.store.kustomizationIn(dir);
  if (!kFile) {
    ctx.warnings.push({
      file: dir || ".",
      line: 1,
      message: `no kustomization file in ${dir || "."}`,
      code: "not-kustomization",
    });
    return;
  }
  if (stack.length > MAX_DEPTH) {
    ctx.warnings.push({ file: kFile, line: 1, message: "kustomization nesting too deep", code: "cycle" });
    return;
  }
  ctx.files.add(kFile);
  ctx.dirs.add(dir);
  const loaded = ctx.store.peek(kFile);
  ctx.warnings.push(...loaded.warnings);
  const k = loaded.docs[0]?.value;
  if (!isObject(k)) {
    if (loaded.warnings.length === 0)
      ctx.warnings.push({ file: kFile, line: 1, message: "kustomization is not a mapping", code: "kustomization-error" });
    return;
  }
  const own: KResource[] = [];
  const addEntry = (ref: Json, list: Json[], i: number, field: string) => {
    const pos = getPos(list, i);
    if (typeof ref !== "string") {
      warn(ctx, pos, kFile, `${field} entry is not a string`, "kustomization-error");
      return;
    }
    if (isRemoteRef(ref)) {
      ctx.remote.push({ url: ref, source: pos ?? { file: kFile, line: 1 } });
      warn(ctx, pos, kFile, `remote ${field === "components" ? "component" : "base"} not fetched: ${ref}`, "remote-base");
      return;
    }
    const p = resolveRepoPath(dir, ref);
    if (p === undefined) {
      warn(ctx, pos, kFile, `${field} path escapes the repository: ${ref}`, "path-escape");
      return;
    }
    if (stack.includes(p) || p === dir) {
      warn(ctx, pos, kFile, `cycle in ${field}: ${[...stack, dir, p].join(" → ")}`, "cycle");
      return;
    }
    if (field === "components") {
      if (!ctx.store.kustomizationIn(p)) {
        warn(ctx, pos, kFile, `component not found: ${p}`, "not-found");
        return;
      }
      buildDir(ctx, p, [...stack, dir], own, true);
      return;
    }
    if (ctx.store.kustomizationIn(p)) {
      const sub: KResource[] = [];
      buildDir(ctx, p, [...stack, dir], sub, false);
      for (const r of sub) r.origin = p;
      own.push(...sub);
    } else if (ctx.store.isFile(p)) {
      ctx.files.add(p);
      const docs = ctx.store.load(p);
      ctx.warnings.push(...docs.warnings);
      for (const d of docs.docs) {
        if (!isObject(d.value)) continue;
        const items = str(d.value.kind)?.endsWith("List") && Array.isArray(d.value.items) ? d.value.items : [d.value];
        for (const it of items) {
          if (!isObject(it)) continue;
          const r = toResource(it, p, p);
          if (r) own.push(r);
        }
      }
    } else if (ctx.store.isDir(p)) {
      warn(ctx, pos, kFile, `${p} is a directory without a kustomization`, "not-kustomization");
    } else {
      warn(ctx, pos, kFile, `resource not found: ${p}`, "not-found");
    }
  };
  // A component's resources join the parent's accumulated set; its transformers then act on all of it.
  if (asComponent) own.push(...acc.splice(0, acc.length));
  for (const field of ["resources", "bases"] as const) {
    const list = k[field];
    if (Array.isArray(list)) {
      for (let i = 0; i < list.length; i++) addEntry(list[i] as Json, list, i, field);
    }
  }
  const comps = k.components;
  if (Array.isArray(comps)) {
    for (let i = 0; i < comps.length; i++) addEntry(comps[i] as Json, comps, i, "components");
  }

  for (const field of ["helmCharts", "helmChartInflationGenerator"] as const) {
    if (k[field] !== undefined)
      warn(
        ctx,
        getPos(k, field),
        kFile,
        `${field} is not inflated statically; images from those charts are unknown`,
        "helm-charts-unsupported",
      );
  }
  if (k.replacements !== undefined && JSON.stringify(k.replacements).includes("image")) {
    warn(
      ctx,
      getPos(k, "replacements"),
      kFile,
      "replacements that touch image fields are not evaluated statically",
      "replacements-unsupported",
    );
  }

  const psm = k.patchesStrategicMerge;
  if (Array.isArray(psm)) {
    psm.forEach((ref, i) => {
      if (typeof ref !== "string") return;
      const body = loadPatchDocs(ctx, dir, ref, kFile, getPos(psm, i));
      if (!body) return;
      for (const d of body.docs) applyPatchDoc(ctx, own, d, undefined, body.file, getPos(psm, i));
    });
  }
  const patches = k.patches;
  if (Array.isArray(patches)) {
    patches.forEach((p, i) => {
      if (!isObject(p)) return;
      const ref = str(p.path) ?? str(p.patch);
      if (ref === undefined) return;
      const pos = getPos(p, p.path !== undefined ? "path" : "patch") ?? getPos(patches, i);
      const body = loadPatchDocs(ctx, dir, ref, kFile, pos);
      if (!body) return;
      const target = parseTarget(ctx, p.target, kFile);
      // A file of JSON6902 operations parses as one sequence document.
      for (const d of body.docs) applyPatchDoc(ctx, own, d, target, body.file, pos);
    });
  }
  const ns = str(k.namespace);
  const prefix = str(k.namePrefix) ?? "";
  const suffix = str(k.nameSuffix) ?? "";
  for (const r of own) {
    if (ns !== undefined) r.namespace = ns;
    if ((prefix || suffix) && r.kind !== "Namespace" && r.kind !== "CustomResourceDefinition") {
      r.previousNames.push(r.name);
      r.name = `${prefix}${r.name}${suffix}`;
    }
  }
  const pj = k.patchesJson6902;
  if (Array.isArray(pj)) {
    pj.forEach((p, i) => {
      if (!isObject(p)) return;
      const ref = str(p.path) ?? str(p.patch);
      if (ref === undefined) return;
      const body = loadPatchDocs(ctx, dir, ref, kFile, getPos(pj, i));
      const target = parseTarget(ctx, p.target, kFile);
      if (!body || !target) return;
      for (const d of body.docs) applyPatchDoc(ctx, own, Array.isArray(d) ? d : [], target, body.file, getPos(pj, i));
    });
  }
  const transformers = k.transformers;
  if (Array.isArray(transformers)) {
    transformers.forEach((t, i) => {
      if (typeof t !== "string" || isRemoteRef(t)) return;
      const body = loadPatchDocs(ctx, dir, t, kFile, getPos(transformers, i));
      for (const d of body?.docs ?? []) {
        if (!isObject(d)) continue;
        if (d.kind === "ImageTagTransformer" && isObject(d.imageTag)) applyImages(ctx, own, [d.imageTag], body?.file ?? kFile);
        else if (typeof d.kind === "string" && /Patch|Replacement/.test(d.kind)) {
          warn(
            ctx,
            getPos(transformers, i),
            kFile,
            `transformer ${d.kind} is not evaluated statically`,
            "transformer-unsupported",
          );
        }
      }
    });
  }
  const images = k.images;
  if (Array.isArray(images)) applyImages(ctx, own, images, kFile);
  const replicas = k.replicas;
  if (Array.isArray(replicas)) applyReplicas(own, replicas);
  acc.push(...own);
}

export function buildKustomization(store: FileStore, dir: string): BuildResult {
  const ctx: BuildContext = { store, warnings: [], remote: [], files: new Set(), dirs: new Set() };
  const acc: KResource[] = [];
  buildDir(ctx, dir, [], acc, false);
  // Resources loaded directly by the root overlay keep their own file as origin.
  return { resources: acc, remote: ctx.remote, warnings: dedupeWarnings(ctx.warnings), files: ctx.files, dirs: ctx.dirs };
}

export function dedupeWarnings(ws: ScanWarning[]): ScanWarning[] {
  const seen = new Set<string>();
  return ws.filter((w) => {
    const key = `${w.file}:${w.line}:${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
