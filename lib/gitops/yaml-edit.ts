import {
  Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { MAX_ALIAS_COUNT } from "./yaml-source";

/**
 * Minimal-diff YAML edits. The `yaml` Document API finds nodes and proves the result right, but its
 * re-stringify may reflow untouched lines; so edits splice text at the node's exact offsets and are then
 * checked against the same change made through the Document API. Only when the splice cannot be proven
 * does the edit fall back to the re-stringified document (correct, but a larger diff).
 */

export type YamlPath = readonly (string | number)[];

export type YamlChange =
  | { op: "set"; path: YamlPath; value: string }
  | { op: "append"; path: YamlPath; item: Record<string, string> }
  /** Removes a key (a no-op when it is absent). */
  | { op: "delete"; path: YamlPath };

export interface EditResult {
  text: string;
  /** False when the splice could not be proven and the document was re-stringified. */
  minimal: boolean;
}

interface Located {
  doc: Document;
  offset: number;
  lc: LineCounter;
}

function docs(text: string): Located[] {
  const lc = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: lc, keepSourceTokens: true });
  if (!Array.isArray(all)) return [];
  return all.map((doc) => ({ doc, offset: 0, lc }));
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf("\n", offset);
  return i < 0 ? text.length : i;
}

function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return text
    .slice(start, offset)
    .replace(/[^ \t-].*$/, "")
    .replace(/-/g, " ");
}

/** A plain scalar is safe when it re-parses to the same string. */
function formatScalar(value: string, like?: Scalar): string {
  const type = like?.type;
  if (type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  const probe = parseDocument(`k: ${value}`);
  const back =
    probe.errors.length === 0 && isMap(probe.contents)
      ? (probe.contents.items[0]?.value as Scalar | undefined)?.value
      : undefined;
  return back === value ? value : JSON.stringify(value);
}

function getNode(doc: Document, path: YamlPath): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path, true);
}

/** Where the last line of a node ends (so an insertion goes after the whole block). */
function blockEnd(text: string, node: Node): number {
  const end = node.range?.[1] ?? 0;
  // range[1] is the end of the value itself; trailing spaces/comments on that line stay with it.
  return lineEnd(text, Math.max(0, end - 1));
}

function spliceSet(text: string, doc: Document, path: YamlPath, value: string): string | undefined {
  const node = getNode(doc, path);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) return undefined;
    return text.slice(0, start) + formatScalar(value, node) + text.slice(end);
  }
  if (node !== undefined) return undefined;
  // Missing key: insert into the nearest existing parent mapping, creating the rest of the path.
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const parent = getNode(doc, path.slice(0, depth));
    if (parent === undefined) continue;
    if (!isMap(parent)) return undefined;
    const rest = path.slice(depth).map(String);
    return insertIntoMap(text, parent, rest, value);
  }
  return undefined;
}

/**
 * Removes a `key: scalar` pair of a block mapping when it sits on lines of its own (the key first on
 * its line, nothing after the value but a comment): those lines go, every other byte stays.
 */
function spliceDelete(text: string, doc: Document, path: YamlPath): string | undefined {
  if (path.length === 0) return undefined;
  const parent = getNode(doc, path.slice(0, -1));
  if (!isMap(parent) || parent.flow) return undefined;
  const key = path[path.length - 1];
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
  if (!pair) return text;
  if (parent.items.length === 1) return undefined;
  const keyNode = pair.key as Node;
  const valueNode = pair.value as Node | null;
  if (!keyNode.range || !valueNode?.range || !isScalar(valueNode)) return undefined;
  const start = lineStart(text, keyNode.range[0]);
  if (!/^[ \t]*$/.test(text.slice(start, keyNode.range[0]))) return undefined;
  const end = lineEnd(text, Math.max(valueNode.range[0], valueNode.range[1] - 1));
  if (!/^[ \t]*(#.*)?$/.test(text.slice(valueNode.range[1], end))) return undefined;
  return text.slice(0, start) + text.slice(end >= text.length ? end : end + 1);
}

function nestedLines(keys: readonly string[], value: string, indent: string, step: string): string[] {
  return keys.map((k, i) => `${indent}${step.repeat(i)}${k}:${i === keys.length - 1 ? ` ${formatScalar(value)}` : ""}`);
}

function insertIntoMap(text: string, map: YAMLMap, keys: readonly string[], value: string): string | undefined {
  const step = "  ";
  if (map.flow) {
    if (keys.length !== 1 || !map.range) return undefined;
    const close = text.lastIndexOf("}", map.range[1]);
    if (close < 0) return undefined;
    const sep = map.items.length ? ", " : "";
    return `${text.slice(0, close)}${sep}${keys[0]}: ${formatScalar(value)}${text.slice(close)}`;
  }
  const last = map.items[map.items.length - 1];
  const firstKey = map.items[0]?.key as Node | undefined;
  if (!last || !firstKey?.range) {
    // An empty block map (e.g. `image: {}` or the document root with nothing): append at the end.
    if (map.range && map.range[0] === map.range[1]) {
      const body = nestedLines(keys, value, "", step).join("\n");
      return `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${body}\n`;
    }
    return undefined;
  }
  const indent = indentOf(text, firstKey.range[0]);
  const lastNode = (last.value as Node | null) ?? (last.key as Node);
  if (!lastNode?.range) return undefined;
  const at = blockEnd(text, lastNode);
  const body = nestedLines(keys, value, indent, step).join("\n");
  if (at >= text.length) return `${text}${text.endsWith("\n") ? "" : "\n"}${body}\n`;
  return `${text.slice(0, at)}\n${body}${text.slice(at)}`;
}

function spliceAppend(text: string, doc: Document, path: YamlPath, item: Record<string, string>): string | undefined {
  const node = getNode(doc, path);
  const entries = Object.entries(item);
  if (entries.length === 0) return undefined;
  if (node === undefined || (isScalar(node) && node.value === null)) {
    // No list yet: add `key:` with a block list at the end of the parent mapping (root only).
    if (path.length !== 1 || !isMap(doc.contents)) return undefined;
    const seqStyle = detectSeqIndent(text, doc);
    const lines = [`${path[0]}:`, ...itemLines(entries, seqStyle)];
    if (isScalar(node) && node.range) {
      // `images:` present but empty: replace the empty value line.
      const keyStart = lineStart(text, node.range[0]);
      const end = lineEnd(text, node.range[0]);
      const keyLine = text.slice(keyStart, end);
      if (!/^\S/.test(keyLine)) return undefined;
      return `${text.slice(0, keyStart)}${lines.join("\n")}${text.slice(end)}`;
    }
    return `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${lines.join("\n")}\n`;
  }
  if (!isSeq(node)) return undefined;
  const seq = node as YAMLSeq;
  if (seq.flow) return undefined;
  const first = seq.items[0] as Node | undefined;
  const last = seq.items[seq.items.length - 1] as Node | undefined;
  if (!first?.range || !last?.range) return undefined;
  const dashIndent = text.slice(lineStart(text, first.range[0]), first.range[0]).replace(/-\s*$/, "");
  if (!/^[ \t]*$/.test(dashIndent)) return undefined;
  const at = blockEnd(text, last);
  const lines = itemLines(entries, dashIndent);
  if (at >= text.length) return `${text}${text.endsWith("\n") ? "" : "\n"}${lines.join("\n")}\n`;
  return `${text.slice(0, at)}\n${lines.join("\n")}${text.slice(at)}`;
}

function itemLines(entries: [string, string][], dashIndent: string): string[] {
  return entries.map(([k, v], i) => `${dashIndent}${i === 0 ? "- " : "  "}${k}: ${formatScalar(v)}`);
}

/** Follows the file's own list style (`- x` flush with the key, or indented by two). */
function detectSeqIndent(text: string, doc: Document): string {
  if (!isMap(doc.contents)) return "";
  for (const pair of doc.contents.items) {
    if (isSeq(pair.value) && !pair.value.flow) {
      const first = pair.value.items[0] as Node | undefined;
      if (first?.range) return text.slice(lineStart(text, first.range[0]), first.range[0]).replace(/-\s*$/, "");
    }
  }
  return "";
}

function applyViaDocument(doc: Document, change: YamlChange): void {
  if (change.op === "set") doc.setIn(change.path, change.value);
  else if (change.op === "delete") {
    if (doc.hasIn(change.path)) doc.deleteIn(change.path);
  } else {
    const existing = doc.getIn(change.path, true);
    if (isSeq(existing)) existing.add(doc.createNode(change.item));
    else doc.setIn(change.path, doc.createNode([change.item]));
  }
}

function editEmptyFile(text: string, change: YamlChange): EditResult {
  const doc = new Document({});
  applyViaDocument(doc, change);
  const before = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
  return { text: before + doc.toString(), minimal: true };
}

function sameData(a: string, b: string): boolean {
  const pa = parseAllDocuments(a);
  const pb = parseAllDocuments(b);
  if (!Array.isArray(pa) || !Array.isArray(pb) || pa.length !== pb.length) return false;
  return pa.every(
    (d, i) =>
      d.errors.length === 0 &&
      JSON.stringify(d.toJS({ maxAliasCount: MAX_ALIAS_COUNT })) ===
        JSON.stringify(pb[i]?.toJS({ maxAliasCount: MAX_ALIAS_COUNT })),
  );
}

/**
 * Applies one change to document `docIndex` of a (possibly multi-document) YAML file, keeping every
 * other byte. Throws when the file cannot be parsed or the change cannot be applied at all.
 */
export function editYaml(text: string, change: YamlChange, docIndex = 0): EditResult {
  const parsed = docs(text);
  // An environment's own values file may hold nothing but comments (everything inherited): the
  // change becomes its first content, after the comments, which stay as they are.
  if (parsed.length === 0 && docIndex === 0) return editEmptyFile(text, change);
  const target = parsed[docIndex];
  if (!target) throw new Error(`YAML document ${docIndex} not found`);
  if (target.doc.errors.length > 0) throw new Error(`cannot edit malformed YAML: ${target.doc.errors[0]?.message ?? ""}`);
  // The expected result, computed through the Document API on a fresh parse.
  const expectedDocs = parseAllDocuments(text);
  if (!Array.isArray(expectedDocs)) throw new Error("YAML could not be parsed");
  const expectedDoc = expectedDocs[docIndex];
  if (!expectedDoc) throw new Error(`YAML document ${docIndex} not found`);
  applyViaDocument(expectedDoc, change);
  const expectedText = expectedDocs.map((d) => d.toString()).join("");

  const spliced =
    change.op === "set"
      ? spliceSet(text, target.doc, change.path, change.value)
      : change.op === "delete"
        ? spliceDelete(text, target.doc, change.path)
        : spliceAppend(text, target.doc, change.path, change.item);
  if (spliced !== undefined && sameData(spliced, expectedText)) return { text: spliced, minimal: true };
  return { text: expectedDocs.length === 1 ? expectedDoc.toString() : expectedText, minimal: false };
}
