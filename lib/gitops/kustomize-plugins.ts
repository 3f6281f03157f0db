/**
 * A kustomization's `transformers:` and `generators:`: plugin configs in files, in kustomization
 * directories, or written inline. The builtin transformers that decide images, names and
 * namespaces run statically with Kustomize's field decoding; anything else (exec and KRM plugins,
 * replacements, Helm inflation) is named in a warning, so the cell says what it could not follow.
 */
import { isRemoteRef, resolveRepoPath } from "./file-store";
import { foldFields, REPLICA_FIELDS, SELECTOR_FIELDS } from "./kustomize-decode";
import { applyImageEntry, readFieldSpecs } from "./kustomize-images";
import { addAnnotations, addLabels, addNameAffixes, setNamespace, stringMap } from "./kustomize-metadata";
import { applyPatchDoc, isInlineText, loadInlinePatch, runPatchEntry, runStrategicMergePatches } from "./kustomize-patches";
import { applyReplicas } from "./kustomize-replicas";
import { type BuildContext, type KResource, warn } from "./kustomize-resource";
import { parseTarget } from "./kustomize-selectors";
import type { SourcePos } from "./types";
import { getPos, isObject, type Json, type JsonObject, str } from "./yaml-source";

/** One plugin config and where it was written. */
interface PluginConfig {
  config: JsonObject;
  file: string;
  pos: SourcePos | undefined;
}

/** Builtin kinds that never change an image, a name or a namespace. */
const INERT = new Set(["HashTransformer", "ValueAddTransformer"]);
/** Builtin generators: they make ConfigMaps and Secrets, never workloads. */
const INERT_GENERATORS = new Set(["ConfigMapGenerator", "SecretGenerator"]);

/**
 * The configs an entry list names, in Kustomize's order: entries written inline first, then those
 * loaded from files and directories (configureExternalTransformers accumulates them that way).
 * A directory is built as a kustomization, and its resources are the configs.
 */
function loadConfigs(
  ctx: BuildContext,
  dir: string,
  list: Json[],
  kFile: string,
  buildDir: (dir: string) => KResource[],
): PluginConfig[] {
  const inline: PluginConfig[] = [];
  const loaded: PluginConfig[] = [];
  list.forEach((ref, i) => {
    const pos = getPos(list, i);
    if (typeof ref !== "string") return;
    if (isInlineText(ref)) {
      for (const d of loadInlinePatch(ctx, ref, kFile, pos).docs)
        if (isObject(d)) inline.push({ config: d, file: kFile, pos: getPos(d, "kind") ?? pos });
      return;
    }
    if (isRemoteRef(ref)) {
      // Recorded as remote, so a render never fetches it either.
      ctx.remote.push({ url: ref, source: pos ?? { file: kFile, line: 1 } });
      warn(ctx, pos, kFile, `remote plugin config not fetched: ${ref}`, "transformer-unsupported");
      return;
    }
    const p = resolveRepoPath(dir, ref);
    if (p === undefined) {
      warn(ctx, pos, kFile, `plugin config path escapes the repository: ${ref}`, "path-escape");
    } else if (ctx.store.kustomizationIn(p)) {
      for (const r of buildDir(p)) loaded.push({ config: r.obj, file: r.file, pos: getPos(r.obj, "kind") });
    } else if (ctx.store.isFile(p)) {
      ctx.files.add(p);
      const docs = ctx.store.load(p);
      ctx.warnings.push(...docs.warnings);
      for (const d of docs.docs) if (isObject(d.value)) loaded.push({ config: d.value, file: p, pos: getPos(d.value, "kind") });
    } else {
      warn(ctx, pos, kFile, `plugin config not found: ${p}`, "not-found");
    }
  });
  return [...inline, ...loaded];
}

function unsupported(ctx: BuildContext, c: PluginConfig, what: string): void {
  warn(
    ctx,
    c.pos,
    c.file,
    `${what} is not evaluated statically; what it does to images is known only rendered`,
    "transformer-unsupported",
  );
}

function runBuiltinTransformer(ctx: BuildContext, acc: KResource[], dir: string, c: PluginConfig): void {
  const kind = str(c.config.kind) ?? "?";
  const config = foldFields(c.config, [
    "imageTag",
    "replica",
    "fieldSpecs",
    "metadata",
    "unsetOnly",
    "prefix",
    "suffix",
    "path",
    "patch",
    "patches",
    "paths",
    "target",
    "jsonOp",
  ]) as JsonObject;
  switch (kind) {
    case "ImageTagTransformer":
      applyImageEntry(ctx, acc, config.imageTag ?? null, readFieldSpecs(config.fieldSpecs), c.file, c.pos);
      return;
    case "ReplicaCountTransformer": {
      const replica = foldFields(config.replica, REPLICA_FIELDS);
      if (replica) applyReplicas(acc, [replica]);
      return;
    }
    case "NamespaceTransformer": {
      const ns = str(foldFields(config.metadata, ["namespace"])?.namespace);
      if (ns) setNamespace(acc, ns, config.unsetOnly === true);
      return;
    }
    case "PrefixSuffixTransformer": {
      // Only the name is renamed by the usual field spec; anything else changes no id.
      const specs = readFieldSpecs(config.fieldSpecs);
      if (specs.length === 0 || specs.some((s) => s.path === "metadata/name"))
        addNameAffixes(acc, str(config.prefix) ?? "", str(config.suffix) ?? "");
      return;
    }
    case "LabelTransformer":
    case "AnnotationsTransformer": {
      // Only what lands in metadata changes which resources a later patch selects.
      const field = kind === "LabelTransformer" ? "labels" : "annotations";
      if (!readFieldSpecs(config.fieldSpecs).some((s) => s.path === `metadata/${field}`)) return;
      const values = stringMap(foldFields(c.config, [field])?.[field]);
      if (kind === "LabelTransformer") addLabels(acc, values);
      else addAnnotations(acc, values);
      return;
    }
    case "PatchTransformer":
      runPatchEntry(ctx, acc, dir, config, c.file, c.pos);
      return;
    case "PatchStrategicMergeTransformer":
      if (Array.isArray(config.paths)) runStrategicMergePatches(ctx, acc, dir, config.paths, c.file);
      if (typeof config.patches === "string")
        for (const d of loadInlinePatch(ctx, config.patches, c.file, c.pos).docs)
          applyPatchDoc(ctx, acc, d, undefined, c.file, c.pos);
      return;
    case "PatchJson6902Transformer": {
      const target = parseTarget(ctx, foldFields(config.target, SELECTOR_FIELDS), c.file);
      const text = str(config.jsonOp);
      const body = text !== undefined ? loadInlinePatch(ctx, text, c.file, c.pos) : undefined;
      if (!target || !body) {
        if (str(config.path) !== undefined) runPatchEntry(ctx, acc, dir, config, c.file, c.pos, { json6902: true });
        return;
      }
      for (const d of body.docs) applyPatchDoc(ctx, acc, Array.isArray(d) ? d : [], target, c.file, c.pos);
      return;
    }
    default:
      if (!INERT.has(kind)) unsupported(ctx, c, `builtin ${kind}`);
  }
}

/** `transformers:`: each builtin config applied in Kustomize's order; other plugins named, not run. */
export function runTransformerConfigs(
  ctx: BuildContext,
  acc: KResource[],
  dir: string,
  list: Json[],
  kFile: string,
  buildDir: (dir: string) => KResource[],
): void {
  for (const c of loadConfigs(ctx, dir, list, kFile, buildDir)) {
    if (str(c.config.apiVersion) === "builtin") runBuiltinTransformer(ctx, acc, dir, c);
    else unsupported(ctx, c, `transformer plugin ${str(c.config.apiVersion) ?? "?"}/${str(c.config.kind) ?? "?"}`);
  }
}

/**
 * `generators:`: the builtin ConfigMap and Secret generators add no workload; Helm inflation and
 * plugins (exec, KRM functions) may, and are named instead of run.
 */
export function runGeneratorConfigs(
  ctx: BuildContext,
  dir: string,
  list: Json[],
  kFile: string,
  buildDir: (dir: string) => KResource[],
): void {
  for (const c of loadConfigs(ctx, dir, list, kFile, buildDir)) {
    const kind = str(c.config.kind) ?? "?";
    if (str(c.config.apiVersion) === "builtin" && INERT_GENERATORS.has(kind)) continue;
    const api = str(c.config.apiVersion) ?? "?";
    unsupported(ctx, c, api === "builtin" ? `builtin ${kind}` : `generator plugin ${api}/${kind}`);
  }
}
