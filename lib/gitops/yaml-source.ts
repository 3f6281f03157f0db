import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { ScanWarning } from "./types";
import { fastLoadYaml } from "./yaml-fast";
import { copyMetaOf, setPos, setRaw } from "./yaml-positions";

export { copyMeta, getPos, rawSpelling, scalarText, setPos } from "./yaml-positions";

/** Plain data as YAML produces it; objects carry per-key source positions on the side. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export const MAX_FILE_BYTES = 1024 * 1024;
/** Far above any real manifest's use of anchors, far below an expansion attack. */
export const MAX_ALIAS_COUNT = 100;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A string or number field read as a string (`newTag: 12` is the tag "12"); anything else is absent.
 * Numbers go through String(), so `1.0` reads "1": scalarText keeps the spelling where that matters.
 * The one reader for string fields in lib/gitops (kind, name, apiVersion, paths, chart names and
 * versions): Kustomize reads `name: 2024` as the name "2024", so every reader of a field agrees.
 */
export function str(v: Json | undefined): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Deep copy that carries the position side table along, so patched copies still know their sources. */
export function cloneJson<T extends Json>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out: Json[] = value.map((v) => cloneJson(v));
    copyMetaOf(value, out, value.length);
    return out as T;
  }
  const out: JsonObject = {};
  const keys = Object.keys(value);
  for (const k of keys) out[k] = cloneJson((value as JsonObject)[k] as Json);
  copyMetaOf(value, out, keys);
  return out as T;
}

export interface LoadedDoc {
  value: Json;
  /** 1-based line where the document starts. */
  line: number;
  file: string;
}

export interface LoadResult {
  docs: LoadedDoc[];
  warnings: ScanWarning[];
}

function lineOf(lc: LineCounter, offset: number | undefined): number {
  if (offset === undefined) return 1;
  return lc.linePos(offset).line;
}

function convert(node: unknown, doc: Document, lc: LineCounter, file: string, depth: number): Json {
  if (depth > 200) throw new Error("YAML nesting deeper than 200 levels");
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ? convert(target, doc, lc, file, depth + 1) : null;
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    return String(v);
  }
  if (isMap(node)) {
    const out: JsonObject = {};
    for (const pair of node.items) {
      const k = isScalar(pair.key)
        ? String(pair.key.value)
        : isAlias(pair.key)
          ? String(pair.key.source)
          : JSON.stringify(pair.key);
      // Keys that would rewrite the prototype are never meaningful in Kubernetes YAML.
      if (k === "__proto__") continue;
      out[k] = convert(pair.value, doc, lc, file, depth + 1);
      if (isScalar(pair.value) && typeof pair.value.value === "number") setRaw(out, k, pair.value.source);
      const keyNode = pair.key as Node | null;
      setPos(out, k, { file, line: lineOf(lc, keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0]) });
    }
    return out;
  }
  if (isSeq(node)) {
    const out: Json[] = [];
    node.items.forEach((item, i) => {
      out.push(convert(item, doc, lc, file, depth + 1));
      if (isScalar(item) && typeof item.value === "number") setRaw(out, i, item.source);
      setPos(out, i, { file, line: lineOf(lc, (item as Node | null)?.range?.[0]) });
    });
    return out;
  }
  return null;
}

function hasAlias(node: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (isAlias(node)) return true;
  if (isMap(node)) return node.items.some((p) => hasAlias(p.key, depth + 1) || hasAlias(p.value, depth + 1));
  if (isSeq(node)) return node.items.some((i) => hasAlias(i, depth + 1));
  return false;
}

/**
 * Parses every document of a YAML file into plain data with positions. Problems (syntax errors, alias
 * bombs, oversize files) become warnings with file and line and the affected document is dropped —
 * never half-read, so nothing downstream works from a wrong guess.
 */
export function loadYaml(text: string, file: string): LoadResult {
  if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) {
    return { docs: [], warnings: [{ file, line: 1, message: `file is larger than 1 MiB; not read`, code: "file-too-large" }] };
  }
  // Most manifests are the plain subset yaml-fast.ts reads exactly as the path below does, several
  // times faster; anything it is not sure of (and every error or warning) comes from the `yaml` package.
  const docs = fastLoadYaml(text, file);
  return docs ? { docs, warnings: [] } : loadYamlWithPackage(text, file);
}

/** loadYaml through the `yaml` package only: the reference the fast path is tested against. */
export function loadYamlWithPackage(text: string, file: string): LoadResult {
  const warnings: ScanWarning[] = [];
  const lc = new LineCounter();
  let parsed: Document[];
  try {
    const all = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
    parsed = Array.isArray(all) ? all : [];
  } catch (err) {
    return {
      docs: [],
      warnings: [{ file, line: 1, message: `YAML could not be parsed: ${(err as Error).message}`, code: "yaml-error" }],
    };
  }
  const docs: LoadedDoc[] = [];
  for (const doc of parsed) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        warnings.push({
          file,
          line: e.linePos?.[0]?.line ?? lineOf(lc, e.pos[0]),
          message: `malformed YAML: ${e.message.split("\n")[0]}`,
          code: "yaml-error",
        });
      }
      continue;
    }
    if (hasAlias(doc.contents)) {
      try {
        // toJS enforces maxAliasCount; the result is discarded, only the check matters.
        doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        warnings.push({
          file,
          line: lineOf(lc, (doc.contents as Node | null)?.range?.[0]),
          message: `YAML aliases expand too much (alias bomb?): ${(err as Error).message}`,
          code: "yaml-alias-limit",
        });
        continue;
      }
    }
    try {
      const value = convert(doc.contents, doc, lc, file, 0);
      if (value === null) continue;
      docs.push({ value, line: lineOf(lc, (doc.contents as Node | null)?.range?.[0]), file });
    } catch (err) {
      warnings.push({ file, line: 1, message: `YAML could not be read: ${(err as Error).message}`, code: "yaml-error" });
    }
  }
  return { docs, warnings };
}
