import path from "node:path";
import type { FileStore } from "./file-store";
import type { HelmImageKeys } from "./helm-values";
import { looksLikeImage, splitImage } from "./image-ref";
import type { SourcePos, UnresolvedImage } from "./types";
import { getPos, isObject, type Json, scalarText } from "./yaml-source";

/**
 * Image lines of a Helm chart's templates, evaluated without rendering the chart. Charts often assemble the image
 * from keys no convention predicts, so the values alone cannot say where it is:
 *   image: "{{ .Values.docker.registry }}/{{ .Values.main_app.image }}:{{ .Values.main_app.version }}"
 * An `image:` line made only of literal text, `.Values.<dotted>` (optionally `| default …`, `| quote`) and
 * `.Chart.AppVersion` becomes a composition applied to merged values; any other construct (named templates,
 * variables, printf, `.Release`) makes it "not composable", with the reason. Enclosing `if`/`with`/`range` blocks
 * become conditions, evaluated when simple; lines in a `define` are placed where the chart includes it. Subcharts
 * are not read. The Go-template toolkit below is shared with helmfile.ts.
 */

// --- Go-template toolkit: just enough of text/template and sprig for the tests charts and helmfiles write. ---

/** One `{{ … }}` action; `inner` is without trim markers and surrounding spaces. */
export type TemplateAction = { inner: string; start: number; end: number; trimLeft: boolean; trimRight: boolean };

/** The actions of a Go template; `}}` inside string literals, raw strings and comments does not end one. */
export function templateActions(text: string): TemplateAction[] {
  const out: TemplateAction[] = [];
  for (let i = text.indexOf("{{"); i !== -1; ) {
    const trimLeft = /^\{\{-\s/.test(text.slice(i, i + 4));
    const from = i + (trimLeft ? 3 : 2);
    let j = from;
    let quote: string | undefined;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === "\\" && quote === '"') j++;
        else if (c === quote) quote = undefined;
      } else if (c === "/" && text[j + 1] === "*") {
        const close = text.indexOf("*/", j + 2);
        j = close === -1 ? text.length : close + 1;
      } else if (c === '"' || c === "`") quote = c;
      else if (c === "}" && text[j + 1] === "}") break;
    }
    if (j >= text.length) break;
    const raw = text.slice(from, j);
    const trimRight = /\s-$/.test(raw);
    out.push({ inner: (trimRight ? raw.slice(0, -1) : raw).trim(), start: i, end: j + 2, trimLeft, trimRight });
    i = text.indexOf("{{", j + 2);
  }
  return out;
}

/** A value the evaluator cannot know (`.Release.Name`, an unsupported function): a condition on it is "unknown". */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type TplValue = Json | undefined | typeof UNKNOWN;
/** Resolves a field chain such as `.Values.a.b` (a leading `$` already stripped). */
export type TplLookup = (ref: string) => TplValue;

/** Go's truthiness: false, 0, nil and empty strings, lists and maps are false. */
export function truthy(v: Json | undefined): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return !(v === undefined || v === null || v === false || v === 0 || v === "");
}

// Tokens: string literals, one level of parentheses, or runs of other characters. The alternatives inside the
// parentheses never overlap (quotes only start a string), so an unbalanced `(` fails in linear time.
const STR = /"(?:\\.|[^"\\])*"|`[^`]*`/.source;
const PAREN = `\\((?:${STR}|[^()"\`])*\\)`;
const pipes = (s: string) => (s.match(new RegExp(`(?:${STR}|${PAREN}|[^|])+`, "g")) ?? []).map((x) => x.trim()).filter(Boolean);
const words = (s: string) => s.match(new RegExp(`${STR}|${PAREN}|[^\\s()]+`, "g")) ?? [];

/** A Go string literal ("…" with backslash escapes, or `…` raw), else undefined. */
export function stringLiteral(w: string): string | undefined {
  if (w.length < 2 || w[0] !== w.at(-1) || (w[0] !== '"' && w[0] !== "`")) return undefined;
  return w[0] === "`" ? w.slice(1, -1) : w.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t" })[c] ?? c);
}

function evalWord(w: string, lookup: TplLookup, depth: number): TplValue {
  const lit = stringLiteral(w);
  if (lit !== undefined) return lit;
  if (/^-?\d+(\.\d+)?$/.test(w)) return Number(w);
  if (w === "true" || w === "false" || w === "nil") return w === "nil" ? null : w === "true";
  if (w.startsWith("(") && w.endsWith(")")) return evalPipeline(w.slice(1, -1), lookup, depth + 1);
  return /^\$?\.[A-Za-z_][\w.]*$/.test(w) ? lookup(w.replace(/^\$/, "")) : UNKNOWN;
}

const known = (a: TplValue[]): a is (Json | undefined)[] => !a.includes(UNKNOWN);
const str = (v: Json | undefined) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
/** `and`/`or` return the first operand that settles them, as Go does; an unknown operand before it makes them unknown. */
const settle = (a: TplValue[], when: boolean) => {
  const i = a.findIndex((v) => v === UNKNOWN || truthy(v) === when);
  return i === -1 ? a.at(-1) : a[i];
};
const FUNCS: Record<string, (a: TplValue[]) => TplValue> = {
  default: (a) => (a.length < 2 || a[1] === UNKNOWN ? UNKNOWN : truthy(a[1]) ? a[1] : a[0]),
  not: (a) => (known(a) ? !truthy(a[0]) : UNKNOWN),
  and: (a) => settle(a, false),
  or: (a) => settle(a, true),
  eq: (a) => (known(a) ? a.slice(1).some((b) => b === a[0]) : UNKNOWN),
  ne: (a) => (known(a) ? a[0] !== a[1] : UNKNOWN),
  quote: (a) => (known(a) ? a.map(str).join(" ") : UNKNOWN),
  toString: (a: TplValue[]) => (known(a) ? str(a[0]) : UNKNOWN),
  hasKey: (a) => (known(a) && isObject(a[0]) ? Object.hasOwn(a[0], str(a[1])) : UNKNOWN),
  has: (a) => (known(a) && Array.isArray(a[1]) ? a[1].includes(a[0] as Json) : UNKNOWN),
};

/** Evaluates a pipeline (`.Values.x | default "y"`, `and .Values.a (not .Values.b)`); anything else is UNKNOWN. */
export function evalPipeline(expr: string, lookup: TplLookup, depth = 0): TplValue {
  let acc: { v: TplValue } | undefined;
  for (const seg of depth > 8 ? [] : pipes(expr)) {
    const [head = "", ...rest] = words(seg);
    const fn = FUNCS[head];
    if (!fn && (acc || rest.length > 0)) return UNKNOWN;
    const args = rest.map((w) => evalWord(w, lookup, depth));
    acc = { v: fn ? fn(acc ? [...args, acc.v] : args) : evalWord(head, lookup, depth) };
  }
  return acc ? acc.v : UNKNOWN;
}

/** A dotted path in plain data: the value and the container slot holding it (for positions). */
export function lookupPath(root: Json | undefined, dotted: string): { value: Json; parent: object; key: string } | undefined {
  const keys = dotted.split(".");
  const key = keys.pop() ?? "";
  const parent = keys.reduce<Json | undefined>((c, k) => (isObject(c) ? c[k] : undefined), root);
  return isObject(parent) && Object.hasOwn(parent, key) ? { value: parent[key] as Json, parent, key } : undefined;
}

// --- Image lines of chart templates. ---

type Fallback = { kind: "literal"; text: string } | { kind: "appVersion" } | { kind: "value"; key: string };
export type ImagePart = Fallback | { kind: "value"; key: string; default?: Fallback };

/** An enclosing `{{ if X }}` / `{{ with X }}` / `{{ range X }}`; `negate` for `else` branches. */
export interface BlockCondition extends SourcePos {
  expr: string;
  negate: boolean;
}

/** An image line Ladder does not compose; `text` is the value as written after `image:`. */
export type ImageLineNote = SourcePos & { text: string; reason: string };

export interface ImageComposition extends SourcePos {
  text: string;
  parts: ImagePart[];
  /** The Helm keys, when the line is exactly `[registry/]repository[:tag][@digest]` of values keys. */
  keys?: HelmImageKeys;
  conditions: BlockCondition[];
  /** The named template the line sits in. */
  define?: string;
}

export interface ChartImageLines {
  compositions: ImageComposition[];
  /** Rendered lines using constructs Ladder does not evaluate. */
  notComposable: ImageLineNote[];
  /** Lines never rendered into the release (Helm test hooks, named templates nobody includes, partials). */
  ignored: ImageLineNote[];
  /** Template files whose text was not loaded (`store.ensure(chartTemplateFiles(…))` first). */
  unread: string[];
}

type IncludeSite = SourcePos & { name: string; arg: string; conditions: BlockCondition[]; define?: string };

type ParsedLine = (ImageComposition | ImageLineNote) & { define?: string };

/**
 * The chart's template files (`templates/**`: YAML and `.tpl`; NOTES.txt is not a manifest). `.tpl` files are not
 * among the YAML files a scan prefetches: `store.ensure()` them before `chartImageLines`.
 */
export function chartTemplateFiles(store: FileStore, chartDir: string): string[] {
  return store.filesUnder(chartDir ? `${chartDir}/templates` : "templates").filter((p) => /\.(ya?ml|tpl)$/i.test(p));
}

/** The value of an `image:` line without a trailing YAML comment and surrounding quotes. */
function imageValue(raw: string): string {
  const hash = raw.search(/\s#/);
  let v = (hash !== -1 && !templateActions(raw).some((a) => a.start < hash && hash < a.end) ? raw.slice(0, hash) : raw).trim();
  if (v.length > 1 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1);
  return v;
}

function term(w: string): Fallback | undefined {
  const key = /^\$?\.Values((?:\.[A-Za-z_]\w*)+)$/.exec(w)?.[1];
  if (key) return { kind: "value", key: key.slice(1) };
  if (w.replace(/^\$/, "") === ".Chart.AppVersion") return { kind: "appVersion" };
  const text = stringLiteral(w);
  return text === undefined ? undefined : { kind: "literal", text };
}

function whyNot(inner: string): string {
  if (/\b(include|template|tpl)\b/.test(inner)) return "calls a named template (include/template/tpl)";
  if (/\.(Release|Capabilities|Template)\./.test(inner)) return "uses release or cluster data";
  if (/(^|[\s(])\$([A-Za-z_]|\s|$)/.test(inner)) return "uses a template variable";
  return `uses \`{{ ${inner} }}\`, which Ladder does not evaluate`;
}

/** One action of an image value as a part (`.Values.k`, `| default D`, `default D .Values.k`), or why not. */
function valuePart(inner: string): ImagePart | string {
  const [head = "", ...segs] = pipes(inner);
  const first = words(head);
  let part = first.length === 1 ? term(head) : undefined;
  let fallback: Fallback | undefined;
  if (first[0] === "default" && first.length === 3) [fallback, part] = [term(first[1] ?? ""), term(first[2] ?? "")];
  for (const w of segs.map(words)) {
    if (w[0] === "default" && w.length === 2 && !fallback) fallback = term(w[1] ?? "");
    else if (w.length !== 1 || !["quote", "squote", "toString", "trim"].includes(w[0] ?? "")) return whyNot(inner);
  }
  if (part?.kind === "value") return fallback ? { ...part, default: fallback } : part;
  return part?.kind === "appVersion" && !fallback ? part : whyNot(inner);
}

/** HelmImageKeys when the parts are exactly `[registry/]repository[:tag][@digest]`, each a values key. */
function keysOf(parts: ImagePart[]): HelmImageKeys | undefined {
  const sig = parts.map((p) => (p.kind === "value" ? "K" : p.kind === "literal" ? p.text : "\0")).join("");
  if (!/^(K\/)?K(:K)?(@K)?$/.test(sig) || sig === "K" || sig === "K/K") return undefined;
  const keys = parts.flatMap((p) => (p.kind === "value" ? [p.key] : []));
  const fields = [sig.startsWith("K/") && "registry", "repository", sig.includes(":") && "tag", sig.includes("@") && "digest"];
  const out: HelmImageKeys = { repository: "" };
  for (const [i, f] of fields.filter((x): x is keyof HelmImageKeys => !!x).entries()) out[f] = keys[i] ?? "";
  return out;
}

/**
 * One template file: its image lines with the blocks around them, and where it includes named templates.
 * Pure over the text, so tests can feed it strings.
 */
export function parseTemplateFile(file: string, text: string): { lines: ParsedLine[]; sites: IncludeSite[] } {
  const actions = templateActions(text);
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  type Frame = { conds: BlockCondition[]; prior: BlockCondition[]; rebinds: boolean; define?: string };
  const stack: Frame[] = [];
  const conds = () => stack.flatMap((f) => [...f.prior, ...f.conds]);
  const define = () => stack.findLast((f) => f.define !== undefined)?.define;
  const sites: IncludeSite[] = [];
  const lines: ParsedLine[] = [];
  let line = 1;
  let next = 0;
  const apply = (a: TemplateAction) => {
    const cond = (expr: string): BlockCondition => ({ file, line, expr, negate: false });
    for (const m of a.inner.matchAll(/\b(?:include|template)\s+"([^"]+)"\s*(\([^)]*\)|[^\s|)]+)?/g))
      sites.push({ file, line, name: m[1] ?? "", arg: m[2] ?? "", conditions: conds(), define: define() });
    const [kw, ...rest] = a.inner.split(/\s+/);
    const top = stack.at(-1);
    if (kw === "if" || kw === "with" || kw === "range")
      stack.push({ conds: [cond(rest.join(" "))], prior: [], rebinds: kw !== "if" });
    else if (kw === "define" || kw === "block")
      stack.push({ conds: [], prior: [], rebinds: false, define: stringLiteral(rest[0] ?? "") ?? "" });
    else if (kw === "else" && top) {
      // A later branch runs only when every earlier one was false; a with/range `else` keeps `.` as it was.
      top.prior.push(...top.conds.map((x) => ({ ...x, negate: !x.negate })));
      top.conds = rest[0] === "if" ? [cond(rest.slice(1).join(" "))] : [];
      top.rebinds = false;
    } else if (kw === "end") stack.pop();
  };
  // One pass past the last line applies the actions on it (include sites there count too).
  for (const [n, start] of [...starts, text.length + 1].entries()) {
    for (; next < actions.length && (actions[next]?.start ?? 0) < start; next++) {
      const a = actions[next] as TemplateAction;
      while ((starts[line] ?? Number.POSITIVE_INFINITY) <= a.start) line++;
      apply(a);
    }
    if (n === starts.length) break;
    const lineText = text.slice(start, (starts[n + 1] ?? text.length + 1) - 1);
    const m = /^\s*(?:-\s+)?image:[ \t]*(.*)$/.exec(lineText);
    const value = imageValue(m?.[1] ?? "");
    if (!m || !value || /^([|>[]|\{(?!\{))/.test(value)) continue;
    const parts: ImagePart[] = [];
    let reason: string | undefined;
    let at = 0;
    for (const a of templateActions(value)) {
      if (a.start > at) parts.push({ kind: "literal", text: value.slice(at, a.start) });
      const p = valuePart(a.inner);
      if (typeof p === "string") reason ??= p;
      else parts.push(p);
      if (typeof p !== "string" && p.kind === "value" && stack.some((f) => f.rebinds) && !a.inner.includes("$.Values"))
        reason ??= "sits in a with/range block, where `.Values` is not the chart's values";
      at = a.end;
    }
    if (at < value.length) parts.push({ kind: "literal", text: value.slice(at) });
    if (parts.some((p) => p.kind === "literal" && p.text.includes("{{"))) reason ??= "has an unterminated template action";
    const pos = { file, line: n + 1, text: value, define: define() };
    lines.push(reason ? { ...pos, reason } : { ...pos, parts, keys: keysOf(parts), conditions: conds() });
  }
  return { lines, sites };
}

/**
 * Every `image:` line of a chart's templates. Lines in a named template take the conditions of the place that
 * includes it when there is exactly one (several include sites: assumed rendered).
 */
export function chartImageLines(store: FileStore, chartDir: string): ChartImageLines {
  const out: ChartImageLines = { compositions: [], notComposable: [], ignored: [], unread: [] };
  const parsed: { file: string; testHook: boolean; lines: ParsedLine[] }[] = [];
  const sites: IncludeSite[] = [];
  for (const file of chartTemplateFiles(store, chartDir)) {
    const t = store.text(file);
    if (t === undefined) {
      out.unread.push(file);
      continue;
    }
    const r = parseTemplateFile(file, t);
    sites.push(...r.sites);
    parsed.push({ file, testHook: /helm\.sh\/hook["']?\s*:\s*["']?test/.test(t), lines: r.lines });
  }
  const siteConds = (name: string, depth: number): BlockCondition[] | string | undefined => {
    const at = sites.filter((s) => s.name === name);
    if (at.length === 0) return undefined;
    if (at.some((s) => s.arg !== "." && s.arg !== "$"))
      return `named template '${name}' is included with a context other than the chart root`;
    const only = at.length === 1 ? at[0] : undefined;
    if (!only?.define || depth > 4) return only?.conditions ?? [];
    const outer = siteConds(only.define, depth + 1);
    return typeof outer === "string" ? outer : [...(outer ?? []), ...only.conditions];
  };
  for (const { file, testHook, lines } of parsed) {
    for (const l of lines) {
      const note = { file: l.file, line: l.line, text: l.text };
      const sc = l.define === undefined ? [] : siteConds(l.define, 0);
      if (testHook) out.ignored.push({ ...note, reason: "Helm test hook (runs on `helm test`, not part of the release)" });
      else if (sc === undefined) out.ignored.push({ ...note, reason: `named template '${l.define}' is never included` });
      else if (!l.define && path.posix.basename(file).startsWith("_"))
        out.ignored.push({ ...note, reason: "outside any named template in a partial (`_` file): never rendered" });
      else if (typeof sc === "string" || "reason" in l)
        out.notComposable.push({ ...note, reason: typeof sc === "string" ? sc : "reason" in l ? l.reason : "" });
      else out.compositions.push({ ...l, conditions: [...sc, ...l.conditions] });
    }
  }
  return out;
}

/** Keys safe for `extractHelmImages` (which knows no defaults or conditions): unconditional lines without defaults. */
export function helmKeysFromCompositions(compositions: readonly ImageComposition[]): HelmImageKeys[] {
  const seen = new Map<string, HelmImageKeys>();
  for (const c of compositions)
    if (c.keys && c.conditions.length === 0 && c.parts.every((p) => !("default" in p && p.default)))
      seen.set(JSON.stringify(c.keys), c.keys);
  return [...seen.values()];
}

export type AppVersion = { value: string; source?: SourcePos };

/** The chart's appVersion and where Chart.yaml sets it. */
export function chartAppVersion(store: FileStore, chartDir: string): AppVersion | undefined {
  const file = chartDir ? `${chartDir}/Chart.yaml` : "Chart.yaml";
  const doc = store.peek(file).docs[0]?.value;
  const value = isObject(doc) ? scalarText(doc, "appVersion") : undefined;
  return isObject(doc) && value ? { value, source: getPos(doc, "appVersion") ?? { file, line: 1 } } : undefined;
}

// --- Applying compositions to merged values. ---

/** How the deciding part of an image (digest, else tag, else name) was set. */
export type ComposedFrom = "values" | "default" | "appVersion" | "literal";

export interface ComposedImage {
  image: string;
  /** Where the deciding part is set: its values key, else the template line (defaults, literals) or Chart.yaml. */
  source: SourcePos;
  from: ComposedFrom;
  decidingKey?: string;
  keys?: HelmImageKeys;
  /** Values keys the line read and found set. */
  usedKeys: string[];
  template: SourcePos;
  /** Enclosing conditions Ladder could not evaluate (the line was assumed rendered). */
  unknownConditions: string[];
}

/** `overriddenBy`: why a decided part may not be final (a values file outside the repository applied later). */
export type ComposeOptions = {
  overriddenBy?: (decided: { source: SourcePos; from: ComposedFrom; decidingKey?: string }) => string | undefined;
};

type Piece = { t: string; from: ComposedFrom; pos: SourcePos; key?: string };

/** One part's text and provenance, or why the line cannot be resolved. */
function pieceOf(p: ImagePart, values: Json, app: AppVersion | undefined, at: SourcePos, where: string): Piece | string {
  if (p.kind === "literal") return { t: p.text, from: "literal", pos: at };
  if (p.kind === "appVersion")
    return app ? { t: app.value, from: "appVersion", pos: app.source ?? at } : `no appVersion (${where})`;
  const fromValues = (key: string): Piece | undefined => {
    const hit = lookupPath(values, key);
    const t = hit ? scalarText(hit.parent, hit.key) : undefined;
    return hit && t ? { t, from: "values", pos: getPos(hit.parent, hit.key) ?? at, key } : undefined;
  };
  const v = lookupPath(values, p.key)?.value;
  if (typeof v === "object" && v !== null) return `'${p.key}' is not a string in the values (${where})`;
  const d = "default" in p ? p.default : undefined;
  const text = d?.kind === "literal" ? d.text : d?.kind === "appVersion" ? app?.value : undefined;
  const fallback: Piece | undefined =
    text !== undefined ? { t: text, from: "default", pos: at } : d?.kind === "value" ? fromValues(d.key) : undefined;
  return fromValues(p.key) ?? fallback ?? `'${p.key}' is not set in the values and has no default (${where})`;
}

/**
 * Applies image lines to merged values. Lines under a false `if`/`with`/`range` are skipped; a key with no value and
 * no default makes the line unresolved (naming the key and the template line) rather than a wrong image.
 */
export function imagesFromCompositions(
  values: Json,
  compositions: readonly ImageComposition[],
  appVersion?: string | AppVersion,
  options: ComposeOptions = {},
): { images: ComposedImage[]; unresolved: UnresolvedImage[]; skipped: ImageLineNote[] } {
  const app = typeof appVersion === "string" ? { value: appVersion } : appVersion;
  const lookup: TplLookup = (ref) => {
    if (ref === ".Chart.AppVersion") return app?.value ?? UNKNOWN;
    return ref === ".Values" ? values : ref.startsWith(".Values.") ? lookupPath(values, ref.slice(8))?.value : UNKNOWN;
  };
  const out = { images: [] as ComposedImage[], unresolved: [] as UnresolvedImage[], skipped: [] as ImageLineNote[] };
  for (const c of compositions) {
    const template = { file: c.file, line: c.line };
    const where = `image line ${c.file}:${c.line}`;
    const unknownConditions: string[] = [];
    const off = c.conditions.find((b) => {
      const v = evalPipeline(b.expr, lookup);
      if (v === UNKNOWN) unknownConditions.push(`${b.negate ? "not " : ""}${b.expr} (${b.file}:${b.line})`);
      return v !== UNKNOWN && truthy(v) === b.negate;
    });
    if (off) {
      const reason = `{{ ${off.expr} }} at ${off.file}:${off.line} is ${off.negate ? "true" : "false"} in the values`;
      out.skipped.push({ ...template, text: c.text, reason });
      continue;
    }
    const pieces = c.parts.map((p) => pieceOf(p, values, app, template, where));
    const image = pieces.map((p) => (typeof p === "string" ? "" : p.t)).join("");
    const problem =
      pieces.find((p): p is string => typeof p === "string") ??
      (looksLikeImage(image) ? undefined : `${where} composes '${image}', which is not an image reference`);
    if (problem) {
      out.unresolved.push({ reference: `template:${c.text}`, reason: problem, source: template });
      continue;
    }
    // The deciding piece is the one holding the digest's first character, else the tag's, else the name's.
    const parsed = splitImage(image);
    const at = parsed.digest ? image.length - parsed.digest.length : parsed.tag ? parsed.name.length + 1 : 0;
    const ok = pieces as Piece[];
    const ends = ok.map((_, i) => ok.slice(0, i + 1).reduce((n, p) => n + p.t.length, 0));
    const d = ok[ends.findIndex((end) => end > at)] ?? ok[0];
    const decided = { source: d?.pos ?? template, from: d?.from ?? ("literal" as const), decidingKey: d?.key };
    const override = options.overriddenBy?.(decided);
    const usedKeys = [...new Set(ok.flatMap((p) => (p.key ? [p.key] : [])))];
    if (override) out.unresolved.push({ reference: image, reason: override, source: decided.source });
    else out.images.push({ image, ...decided, keys: c.keys, usedKeys, template, unknownConditions });
  }
  return out;
}
