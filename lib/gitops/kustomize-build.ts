import path from "node:path";
import { type FileStore, resolveRepoPath } from "./file-store";
import { applyImageTagEntry, type ImageTagEntry, kustomizeImageMatches } from "./image-ref";
import { compileTargetRegex, targetRegexMatches } from "./target-regex";
import type { RemoteRef, ScanWarning, SourcePos } from "./types";
import { cloneJson, copyMeta, getPos, isObject, type Json, type JsonObject, loadYaml, setPos } from "./yaml-source";

/** One resource flowing through a Kustomize build, with what patches need to find it. */
export interface KResource {
  obj: JsonObject;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  /** Names it had before prefixes/suffixes, which Kustomize still lets patches match. */
  previousNames: string[];
  file: string;
  /** The overlay-level `resources:` entry it came through (a base directory or a file). */
  origin: string;
}

export interface BuildResult {
  resources: KResource[];
  remote: RemoteRef[];
  warnings: ScanWarning[];
  /** Every file read, for ownership (own vs shared) and for materialising a render. */
  files: Set<string>;
  /** Kustomization directories visited. */
  dirs: Set<string>;
}

/** How a value set by a transformer is tagged, so edits know what construct decided an image. */
export const imageSetters = new WeakMap<object, "images-transformer" | "patch">();

const REMOTE_RE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\.git(?:\/\/|$)|\/\/[^/]/i;

export function isRemoteRef(ref: string): boolean {
  return REMOTE_RE.test(ref);
}

/** List fields Kubernetes merges by key in strategic merge patches (the rest are replaced). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  imagePullSecrets: "name",
  hostAliases: "ip",
};

/** Kinds whose schema Kustomize knows; for custom resources it uses JSON merge (lists replaced). */
const BUILTIN_GROUPS = new Set([
  "",
  "v1",
  "apps",
  "batch",
  "extensions",
  "networking.k8s.io",
  "policy",
  "autoscaling",
  "rbac.authorization.k8s.io",
]);

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

function str(v: Json | undefined): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function toResource(obj: JsonObject, file: string, origin: string): KResource | undefined {
  const kind = str(obj.kind);
  const meta = isObject(obj.metadata) ? obj.metadata : undefined;
  const name = meta ? str(meta.name) : undefined;
  if (!kind) return undefined;
  return {
    obj,
    kind,
    apiVersion: str(obj.apiVersion) ?? "",
    name: name ?? "",
    namespace: meta ? str(meta.namespace) : undefined,
    previousNames: [],
    file,
    origin,
  };
}

/** Strategic merge of `patch` into `target`, keeping each value's source position. */
export function strategicMerge(target: JsonObject, patch: JsonObject, builtin: boolean): void {
  for (const [k, pv] of Object.entries(patch)) {
    if (k === "$patch" || k.startsWith("$setElementOrder") || k.startsWith("$deleteFromPrimitiveList") || k === "$retainKeys")
      continue;
    const tv = target[k];
    if (pv === null) {
      delete target[k];
    } else if (isObject(pv) && isObject(tv)) {
      if (pv.$patch === "delete") delete target[k];
      else if (pv.$patch === "replace") {
        const copy = cloneJson(pv);
        delete copy.$patch;
        target[k] = copy;
        copyMeta(patch, k, target, k);
      } else strategicMerge(tv, pv, builtin);
    } else if (Array.isArray(pv) && Array.isArray(tv) && builtin && MERGE_KEYS[k]) {
      mergeList(tv, pv, MERGE_KEYS[k] ?? "name", builtin);
    } else {
      const copy = cloneJson(pv);
      if (isObject(copy)) delete copy.$patch;
      target[k] = copy;
      copyMeta(patch, k, target, k);
    }
  }
}

function mergeList(target: Json[], patch: Json[], key: string, builtin: boolean): void {
  for (let i = 0; i < patch.length; i++) {
    const item = patch[i];
    if (!isObject(item)) continue;
    const keyVal = item[key];
    const idx = target.findIndex((t) => isObject(t) && t[key] === keyVal);
    if (item.$patch === "delete") {
      if (idx >= 0) target.splice(idx, 1);
      continue;
    }
    const existing = idx >= 0 ? target[idx] : undefined;
    if (isObject(existing)) strategicMerge(existing, item, builtin);
    else {
      target.push(cloneJson(item));
      copyMeta(patch, i, target, target.length - 1);
    }
  }
}

/** RFC 6901 pointer segments. */
function pointer(p: string): string[] | undefined {
  if (p === "") return [];
  if (!p.startsWith("/")) return undefined;
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function walkTo(root: JsonObject, segs: string[]): Json | undefined {
  let cur: Json = root;
  for (const s of segs) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      if (!Number.isInteger(i)) return undefined;
      cur = cur[i] as Json;
    } else if (isObject(cur)) cur = cur[s] as Json;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Applies JSON6902 operations; returns an error message instead of throwing so the scan goes on. */
export function applyJson6902(root: JsonObject, ops: Json[], opsContainer: object): string | undefined {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isObject(op)) return "operation is not a mapping";
    const kind = str(op.op);
    const segs = pointer(str(op.path) ?? "");
    if (!kind || !segs) return `bad operation or path: ${JSON.stringify(op)}`;
    const parentSegs = segs.slice(0, -1);
    const last = segs[segs.length - 1];
    const parent = walkTo(root, parentSegs);
    const take = (): Json | undefined => {
      if (kind === "copy" || kind === "move") {
        const from = pointer(str(op.from) ?? "");
        if (!from) return undefined;
        const v = walkTo(root, from);
        if (v === undefined) return undefined;
        if (kind === "move") {
          const fp = walkTo(root, from.slice(0, -1));
          const fl = from[from.length - 1];
          if (Array.isArray(fp)) fp.splice(Number(fl), 1);
          else if (isObject(fp) && fl !== undefined) delete fp[fl];
        }
        return cloneJson(v);
      }
      const v = op.value;
      return v === undefined ? undefined : cloneJson(v);
    };
    if (kind === "test") continue;
    if (last === undefined) return `cannot ${kind} the document root`;
    if (parent === undefined) return `path not found: ${str(op.path)}`;
    if (kind === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (isObject(parent)) delete parent[last];
      continue;
    }
    const value = take();
    if (value === undefined) return `operation ${kind} has no value`;
    const valuePos = getPos(op, "value") ?? getPos(opsContainer, i);
    if (Array.isArray(parent)) {
      const idx = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) return `bad index in ${str(op.path)}`;
      if (kind === "replace") parent[idx] = value;
      else parent.splice(idx, 0, value);
      setPos(parent, idx, valuePos);
    } else if (isObject(parent)) {
      if (kind === "replace" && !(last in parent)) return `replace of missing key: ${str(op.path)}`;
      parent[last] = value;
      setPos(parent, last, valuePos);
    } else return `path parent is not a container: ${str(op.path)}`;
    markPatched(value);
  }
  return undefined;
}

/** Records that image fields inside a patched value were set by a patch (edits need to know). */
function markPatched(v: Json): void {
  if (isObject(v)) {
    if (typeof v.image === "string") imageSetters.set(v, "patch");
    for (const x of Object.values(v)) markPatched(x);
  } else if (Array.isArray(v)) for (const x of v) markPatched(x);
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

/** Calls `fn` for every container mapping under any `containers`/`initContainers` list, as Kustomize's image filter does. */
export function visitContainers(v: Json, fn: (container: JsonObject, listKey: string) => void, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(v)) {
    for (const x of v) visitContainers(x, fn, depth + 1);
    return;
  }
  if (!isObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if ((k === "containers" || k === "initContainers" || k === "ephemeralContainers") && Array.isArray(x)) {
      for (const c of x) if (isObject(c)) fn(c, k);
    } else visitContainers(x, fn, depth + 1);
  }
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

function selectorMatches(selector: string, values: Json | undefined): boolean {
  const map = isObject(values) ? values : {};
  return selector
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const neq = term.split("!=");
      if (neq.length === 2) return str(map[(neq[0] ?? "").trim()]) !== (neq[1] ?? "").trim();
      const eq = term.split(/==?/);
      if (eq.length === 2) return str(map[(eq[0] ?? "").trim()]) === (eq[1] ?? "").trim();
      return term in map;
    });
}

/** Target fields Kustomize compiles as anchored regular expressions (label and annotation selectors are not). */
const REGEX_FIELDS = ["group", "version", "kind", "name", "namespace"] as const;

function targetMatches(t: Target, r: KResource): boolean {
  const { kind, name, namespace, group, version } = t;
  if (kind && !targetRegexMatches(kind, r.kind)) return false;
  if (name && !targetRegexMatches(name, r.name) && !r.previousNames.some((n) => targetRegexMatches(name, n))) return false;
  if (namespace && !targetRegexMatches(namespace, r.namespace ?? "default")) return false;
  if (group && !targetRegexMatches(group, groupOf(r.apiVersion))) return false;
  if (version && !targetRegexMatches(version, r.apiVersion.split("/").pop() ?? "")) return false;
  const meta = isObject(r.obj.metadata) ? r.obj.metadata : {};
  if (t.labelSelector && !selectorMatches(t.labelSelector, meta.labels)) return false;
  if (t.annotationSelector && !selectorMatches(t.annotationSelector, meta.annotations)) return false;
  return true;
}

interface Ctx {
  store: FileStore;
  warnings: ScanWarning[];
  remote: RemoteRef[];
  files: Set<string>;
  dirs: Set<string>;
}

function warn(ctx: Ctx, pos: SourcePos | undefined, fallbackFile: string, message: string, code: string): void {
  ctx.warnings.push({ file: pos?.file ?? fallbackFile, line: pos?.line ?? 1, message, code });
}

/**
 * Reads a patch `target:`. Kustomize refuses to build when a target pattern does not compile; here
 * the patch is reported at the field's line and left unapplied (an invalid pattern matches nothing),
 * so one bad pattern does not hide the rest of the overlay.
 */
function parseTarget(ctx: Ctx, v: Json | undefined, kFile: string): Target | undefined {
  if (!isObject(v)) return undefined;
  const t: Target = {};
  for (const k of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] as const) {
    const s = str(v[k]);
    if (s !== undefined) t[k] = s;
  }
  for (const k of REGEX_FIELDS) {
    const pattern = t[k];
    if (!pattern) continue;
    const re = compileTargetRegex(pattern);
    if (!re.ok) {
      warn(
        ctx,
        getPos(v, k),
        kFile,
        `patch target ${k} is not a valid regular expression, so the patch is not applied (kustomize build fails on it): ${re.error}`,
        "patch-error",
      );
    }
  }
  return t;
}

function isBuiltin(r: KResource): boolean {
  return BUILTIN_GROUPS.has(groupOf(r.apiVersion)) || r.apiVersion === "v1";
}

/** Loads a patch body (a file path or inline YAML), returning its documents. */
function loadPatchDocs(
  ctx: Ctx,
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

function applyPatchDoc(
  ctx: Ctx,
  acc: KResource[],
  doc: Json,
  target: Target | undefined,
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

function applyImages(ctx: Ctx, acc: KResource[], images: Json[], kFile: string): void {
  images.forEach((e, i) => {
    if (!isObject(e)) return;
    const name = str(e.name);
    if (!name) {
      warn(ctx, getPos(images, i), kFile, "images entry without a name", "images-error");
      return;
    }
    const entry: ImageTagEntry = { name, newName: str(e.newName), newTag: str(e.newTag), digest: str(e.digest) };
    // Kustomize's 'tagSuffix'-less entries: the deciding line is the most specific field set.
    const decidingKey = entry.digest ? "digest" : entry.newTag ? "newTag" : entry.newName ? "newName" : "name";
    const pos = getPos(e, decidingKey) ?? getPos(images, i);
    for (const r of acc) {
      visitContainers(r.obj, (c) => {
        if (typeof c.image !== "string" || !kustomizeImageMatches(c.image, name)) return;
        c.image = applyImageTagEntry(c.image, entry);
        setPos(c, "image", pos);
        imageSetters.set(c, "images-transformer");
      });
    }
  });
}

const MAX_DEPTH = 40;

/**
 * Builds a kustomization directory statically, following Kustomize's order: resources, then components
 * (each acting on everything accumulated so far), then this layer's patches, name/namespace changes and
 * `images:`. Local references only; remote ones are recorded, never fetched.
 */
function buildDir(ctx: Ctx, dir: string, stack: string[], acc: KResource[], asComponent: boolean): void {
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

/** Kinds Kustomize's `replicas:` field scales. */
const SCALABLE = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

/** `replicas: [{name, count}]`: sets spec.replicas on the named workloads, as Kustomize does. */
function applyReplicas(acc: KResource[], entries: Json[]): void {
  for (const e of entries) {
    if (!isObject(e)) continue;
    const name = str(e.name);
    const count = typeof e.count === "number" ? e.count : Number(str(e.count));
    if (!name || !Number.isInteger(count)) continue;
    for (const r of acc) {
      if (!SCALABLE.has(r.kind) || (r.name !== name && !r.previousNames.includes(name))) continue;
      const spec = isObject(r.obj.spec) ? r.obj.spec : {};
      spec.replicas = count;
      r.obj.spec = spec;
    }
  }
}

export function buildKustomization(store: FileStore, dir: string): BuildResult {
  const ctx: Ctx = { store, warnings: [], remote: [], files: new Set(), dirs: new Set() };
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

export function dirOf(p: string): string {
  const d = path.posix.dirname(p);
  return d === "." ? "" : d;
}
