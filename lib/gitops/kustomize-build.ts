/**
 * A static Kustomize build: the walk over a kustomization's resources, bases and components, and the
 * order its transformers run in. The transformers themselves live beside it: kustomize-patches.ts
 * (with kustomize-selectors.ts, kustomize-strategic-merge.ts, kustomize-json6902.ts),
 * kustomize-images.ts, kustomize-metadata.ts, kustomize-replicas.ts, and kustomize-plugins.ts for
 * `transformers:`/`generators:` configs; kustomize-decode.ts reads fields as Kustomize's Go
 * decoding does; the shared model is kustomize-resource.ts.
 */
import { type FileStore, isRemoteRef, resolveRepoPath } from "./file-store";
import { foldFields, readKustomization } from "./kustomize-decode";
import { applyImages } from "./kustomize-images";
import { addAnnotations, addLabels, addNameAffixes, setNamespace, stringMap } from "./kustomize-metadata";
import { runPatchEntry, runStrategicMergePatches } from "./kustomize-patches";
import { runGeneratorConfigs, runTransformerConfigs } from "./kustomize-plugins";
import { applyReplicas } from "./kustomize-replicas";
import { type BuildContext, type BuildResult, type KResource, toResource, warn } from "./kustomize-resource";
import type { ScanWarning } from "./types";
import { getPos, isObject, type Json, str } from "./yaml-source";

const MAX_DEPTH = 40;

/**
 * Builds a kustomization directory statically, following Kustomize's order: resources, then components
 * (each acting on everything accumulated so far), then generators, this layer's builtin transformers
 * (patches, namespace, names, labels, JSON 6902 patches, replicas, `images:`) and its `transformers:`.
 * Local references only; remote ones are recorded, never fetched.
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
  const k = readKustomization(loaded.docs[0]?.value);
  if (!k) {
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

  const sub = (p: string): KResource[] => {
    const out: KResource[] = [];
    if (stack.includes(p) || p === dir) warn(ctx, undefined, kFile, `cycle: ${[...stack, dir, p].join(" → ")}`, "cycle");
    else buildDir(ctx, p, [...stack, dir], out, false);
    return out;
  };
  if (Array.isArray(k.generators)) runGeneratorConfigs(ctx, dir, k.generators, kFile, sub);
  for (const field of ["helmCharts", "helmChartInflationGenerator"] as const) {
    if (k[field] !== undefined)
      warn(
        ctx,
        getPos(k, field),
        kFile,
        `${field} is not inflated statically; images from those charts are known only rendered`,
        "helm-charts-unsupported",
      );
  }

  // The builtin transformers, in Kustomize's order (configureBuiltinTransformers), then the
  // kustomization's own `transformers:`.
  if (Array.isArray(k.patchesStrategicMerge)) runStrategicMergePatches(ctx, own, dir, k.patchesStrategicMerge, kFile);
  const patches = k.patches;
  if (Array.isArray(patches))
    for (let i = 0; i < patches.length; i++) runPatchEntry(ctx, own, dir, patches[i] ?? null, kFile, getPos(patches, i));
  const ns = str(k.namespace);
  if (ns) setNamespace(own, ns);
  addNameAffixes(own, str(k.namePrefix) ?? "", str(k.nameSuffix) ?? "");
  addLabels(own, stringMap(k.commonLabels));
  for (const l of Array.isArray(k.labels) ? k.labels : []) addLabels(own, stringMap(foldFields(l, ["pairs"])?.pairs));
  addAnnotations(own, stringMap(k.commonAnnotations));
  const pj = k.patchesJson6902;
  if (Array.isArray(pj))
    for (let i = 0; i < pj.length; i++) runPatchEntry(ctx, own, dir, pj[i] ?? null, kFile, getPos(pj, i), { json6902: true });
  if (Array.isArray(k.replicas)) applyReplicas(own, k.replicas);
  if (Array.isArray(k.images)) applyImages(ctx, own, k.images, kFile);
  // Replacements kept in a file cannot be seen from here: they may reach an image too.
  const replacements = Array.isArray(k.replacements) ? k.replacements : [];
  if (replacements.some((r) => /image|containers/.test(JSON.stringify(r)) || (isObject(r) && r.path !== undefined))) {
    warn(
      ctx,
      getPos(k, "replacements"),
      kFile,
      "replacements that touch containers or images are not evaluated statically; their images are known only rendered",
      "replacements-unsupported",
    );
  }
  if (Array.isArray(k.transformers)) runTransformerConfigs(ctx, own, dir, k.transformers, kFile, sub);
  if (Array.isArray(k.configurations)) imageFieldSpecConfigs(ctx, dir, k.configurations, kFile);
  acc.push(...own);
}

/**
 * `configurations:` files that give `images:` field specs of their own (an image field of a custom
 * resource): not applied statically, so the cell says so and is rendered where it can be.
 */
function imageFieldSpecConfigs(ctx: BuildContext, dir: string, list: Json[], kFile: string): void {
  list.forEach((ref, i) => {
    const p = typeof ref === "string" ? resolveRepoPath(dir, ref) : undefined;
    if (p === undefined || !ctx.store.isFile(p)) return;
    ctx.files.add(p);
    if (ctx.store.peek(p).docs.some((d) => isObject(d.value) && d.value.images !== undefined))
      warn(
        ctx,
        getPos(list, i),
        kFile,
        `configurations ${ref} gives images: field specs, which are not applied statically`,
        "transformer-unsupported",
      );
  });
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
