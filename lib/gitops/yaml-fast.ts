import type { SourcePos } from "./types";
import { setPos, setRaw } from "./yaml-positions";
import type { Json, JsonObject, LoadedDoc } from "./yaml-source";

/**
 * A reader for the plain subset of YAML that nearly every Kubernetes manifest is written in: block
 * mappings and sequences, one-line plain, single- and double-quoted scalars, comments, `---` between
 * documents and one-line flow collections (`{cpu: 500m, memory: 256Mi}`, `[a, b]`). It yields exactly
 * what loadYamlWithPackage yields for such text — the same values (YAML 1.2 core schema, as `yaml` 2
 * types plain scalars), key order, positions, numeric spellings, document lines — and gives up
 * (returns undefined) on anything else: anchors, aliases, tags, block scalars, multi-line scalars,
 * complex keys, tabs, directives, odd indentation, anything malformed. Giving up is always safe: the
 * caller then reads the text with the `yaml` package, which also produces every warning.
 *
 * Why not a library: js-yaml is several times faster than `yaml` here but has no per-key source
 * positions and types scalars differently (`0b1`, `-0x1F`), and no other maintained parser gives
 * positions; the `yaml` package's lexer, CST and document model cost ~10× this reader on the scan.
 * yaml-fast.test.ts checks it against the `yaml` path over every fixture file and generated documents.
 */

/** Thrown (one shared object, no stack trace) when the text leaves the subset. */
const UNSURE: unique symbol = Symbol("unsure");

/** Characters the subset never contains: tabs, control characters, NEL, BOM, Unicode line breaks, a lone CR. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\t\ufeff\u2028\u2029]|\r(?!\n)/;

/** Deeper than this is left to the `yaml` path (which refuses past 200 levels). */
const MAX_DEPTH = 100;
/** `yaml` refuses implicit keys longer than 1024 characters; stay well clear. */
const MAX_KEY_LENGTH = 1000;

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;

/** Marks a line in `indents` that holds no content (blank or comment only). */
const NO_CONTENT = -1;
/** Marks a `---` line. */
const DOC_START = -2;

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const HEX = /^[0-9a-fA-F]+$/;

/** A plain scalar typed by the YAML 1.2 core schema, in the order `yaml` 2 tries its tags. */
export function plainValue(t: string): null | boolean | number | string {
  const c = t.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT_OCT.test(t)) return parseInt(t.slice(2), 8);
    if (INT.test(t)) return parseInt(t, 10);
    if (INT_HEX.test(t)) return parseInt(t.slice(2), 16);
    if (FLOAT_NAN.test(t)) {
      if (t.slice(-3).toLowerCase() === "nan") return Number.NaN;
      return c === DASH ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    if (FLOAT_EXP.test(t) || FLOAT.test(t)) return parseFloat(t);
    return t;
  }
  if (c === 126 || c === 110 || c === 78) return NULL.test(t) ? null : t; // ~ n N
  if (c === 116 || c === 84 || c === 102 || c === 70) return BOOL.test(t) ? c === 116 || c === 84 : t; // t T f F
  return t;
}

function skipSpaces(s: string, p: number): number {
  while (s.charCodeAt(p) === SPACE) p++;
  return p;
}

/** A `-` item indicator at p: followed by a space or the end of the line. */
function isItemAt(s: string, p: number): boolean {
  return s.charCodeAt(p) === DASH && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE);
}

/** Only spaces, or spaces and a comment, from p to the end of the line. */
function restIsEmpty(s: string, p: number): void {
  const r = skipSpaces(s, p);
  if (r === s.length || (r > p && s.charCodeAt(r) === HASH)) return;
  throw UNSURE;
}

/** A character that cannot start a plain scalar here (or that this reader leaves to `yaml`). */
function badPlainStart(c: number): boolean {
  switch (c) {
    case 33: // !
    case 34: // "
    case 35: // #
    case 37: // %
    case 38: // &
    case 39: // '
    case 42: // *
    case 44: // ,
    case 58: // :
    case 62: // >
    case 63: // ?
    case 64: // @
    case 91: // [
    case 93: // ]
    case 96: // `
    case 123: // {
    case 124: // |
    case 125: // }
      return true;
    default:
      return false;
  }
}

class FastReader {
  private readonly lines: string[];
  /** Per line: the column of its first character, NO_CONTENT or DOC_START. */
  private readonly indents: Int32Array;
  /** The first line after the current document. */
  private end = 0;
  /** The next line to read, after a node has been read. */
  private next = 0;
  /** The source spelling of the last scalar read, when it was a number. */
  private raw: string | undefined;
  /** Position objects by 0-based line, shared by every slot on that line (nothing mutates a SourcePos). */
  private readonly positions: (SourcePos | undefined)[] = [];

  constructor(
    text: string,
    private readonly file: string,
  ) {
    const lines = text.split("\n");
    if (text.includes("\r")) for (let i = 0; i < lines.length; i++) lines[i] = (lines[i] as string).replace(/\r$/, "");
    this.lines = lines;
    const indents = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const s = lines[i] as string;
      const p = skipSpaces(s, 0);
      if (p === s.length || s.charCodeAt(p) === HASH) {
        indents[i] = NO_CONTENT;
        continue;
      }
      const c = s.charCodeAt(p);
      if (c === DASH || c === 46) {
        // `---` and `...` at the start of a line are document markers; in content they are left to `yaml`.
        const three = s.startsWith(c === DASH ? "---" : "...", p);
        if (three && (p + 3 === s.length || s.charCodeAt(p + 3) === SPACE)) {
          if (p > 0 || c !== DASH) throw UNSURE;
          restIsEmpty(s, 3);
          indents[i] = DOC_START;
          continue;
        }
      } else if (c === 37 && p === 0) throw UNSURE; // a directive
      indents[i] = p;
    }
    this.indents = indents;
  }

  documents(): LoadedDoc[] {
    const docs: LoadedDoc[] = [];
    const n = this.lines.length;
    let start = 0;
    while (start < n) {
      let end = start;
      while (end < n && this.indents[end] !== DOC_START) end++;
      this.end = end;
      const first = this.skip(start);
      if (first < end) {
        const value = this.node(first, this.indents[first] as number, 0);
        if (this.next < end) throw UNSURE;
        docs.push({ value, line: first + 1, file: this.file });
      }
      start = end + 1;
    }
    return docs;
  }

  /** The first line at or after i that has content, or the document's end. */
  private skip(i: number): number {
    const end = this.end;
    while (i < end && this.indents[i] === NO_CONTENT) i++;
    return i;
  }

  private pos(i: number): SourcePos {
    let p = this.positions[i];
    if (!p) {
      p = { file: this.file, line: i + 1 };
      this.positions[i] = p;
    }
    return p;
  }

  /** A block collection starting at column col of line i (the line's own indent, or after `- `). */
  private node(i: number, col: number, depth: number): Json {
    if (depth > MAX_DEPTH) throw UNSURE;
    const s = this.lines[i] as string;
    if (isItemAt(s, col)) return this.seq(i, col, depth);
    if (this.keyAt(s, col) !== undefined) return this.map(i, col, depth);
    throw UNSURE;
  }

  private seq(i: number, col: number, depth: number): Json[] {
    const out: Json[] = [];
    for (;;) {
      const s = this.lines[i] as string;
      const p = skipSpaces(s, col + 1);
      let value: Json;
      let line = i;
      this.raw = undefined;
      if (p === s.length || s.charCodeAt(p) === HASH) {
        const j = this.skip(i + 1);
        if (j < this.end && (this.indents[j] as number) > col) {
          value = this.node(j, this.indents[j] as number, depth + 1);
          line = j;
        } else {
          value = null;
          this.next = j;
        }
      } else if (isItemAt(s, p)) {
        value = this.seq(i, p, depth + 1);
      } else if (this.keyAt(s, p) !== undefined) {
        value = this.map(i, p, depth + 1);
      } else {
        value = this.inline(s, p, i, depth + 1);
        // A more indented line next (a continuation or an error) stops the loop below.
        this.next = this.skip(i + 1);
      }
      const k = out.length;
      out.push(value);
      if (typeof value === "number") setRaw(out, k, this.raw);
      setPos(out, k, this.pos(line));
      const j = this.next;
      if (j >= this.end) return out;
      const ind = this.indents[j] as number;
      if (ind < col) return out;
      if (ind > col) throw UNSURE;
      // A key at the sequence's own column ends it: the sequence was a map value written `key:\n- a`.
      if (!isItemAt(this.lines[j] as string, col)) return out;
      i = j;
    }
  }

  private map(i: number, col: number, depth: number): JsonObject {
    const out: JsonObject = {};
    for (;;) {
      const s = this.lines[i] as string;
      const after = this.keyAt(s, col);
      if (after === undefined) throw UNSURE;
      const key = this.key;
      const p = skipSpaces(s, after);
      let value: Json;
      this.raw = undefined;
      if (p === s.length || s.charCodeAt(p) === HASH) {
        const j = this.skip(i + 1);
        const ind = j < this.end ? (this.indents[j] as number) : -1;
        if (ind > col) value = this.node(j, ind, depth + 1);
        else if (ind === col && isItemAt(this.lines[j] as string, col)) value = this.seq(j, col, depth + 1);
        else {
          value = null;
          this.next = j;
        }
      } else {
        value = this.inline(s, p, i, depth + 1);
        this.next = this.skip(i + 1);
      }
      // Keys that would rewrite the prototype are never meaningful in Kubernetes YAML (as yaml-source.ts).
      if (key !== "__proto__") {
        out[key] = value;
        if (typeof value === "number") setRaw(out, key, this.raw);
        setPos(out, key, this.pos(i));
      }
      const j = this.next;
      if (j >= this.end) return out;
      const ind = this.indents[j] as number;
      if (ind < col) return out;
      if (ind > col) throw UNSURE;
      i = j;
    }
  }

  /** The key read by the last keyAt that found one. */
  private key = "";

  /**
   * Whether an implicit key starts at p: returns the index just after its `:` (and sets this.key), or
   * undefined when the text at p is not a key. Throws when it is a key this reader leaves to `yaml`.
   */
  private keyAt(s: string, p: number): number | undefined {
    const c = s.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      const q = c === DQUOTE ? this.doubleQuoted(s, p) : this.singleQuoted(s, p);
      if (s.charCodeAt(q) !== COLON || (q + 1 < s.length && s.charCodeAt(q + 1) !== SPACE)) return undefined;
      this.key = this.text;
      return q + 1;
    }
    if (badPlainStart(c) || (c === DASH && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE))) return undefined;
    let colon = s.indexOf(": ", p);
    if (colon < 0) {
      if (s.charCodeAt(s.length - 1) !== COLON) return undefined;
      colon = s.length - 1;
    }
    const hash = s.indexOf(" #", p);
    if (hash >= 0 && hash < colon) return undefined;
    if (colon - p > MAX_KEY_LENGTH || s.charCodeAt(colon - 1) === SPACE || c === DASH) throw UNSURE;
    // Flow indicators inside an implicit key: legal in block context, but rare enough to leave to `yaml`.
    for (let k = p; k < colon; k++) {
      const d = s.charCodeAt(k);
      if (d === LBRACE || d === RBRACE || d === LBRACKET || d === RBRACKET || d === COMMA) throw UNSURE;
    }
    const text = s.slice(p, colon);
    if (text.startsWith("---") || text.startsWith("...")) throw UNSURE;
    this.key = String(plainValue(text));
    return colon + 1;
  }

  /** A scalar or flow collection that ends on this line, from p (not a space, not `#`). */
  private inline(s: string, p: number, line: number, depth: number): Json {
    const c = s.charCodeAt(p);
    if (c === DQUOTE) {
      restIsEmpty(s, this.doubleQuoted(s, p));
      return this.text;
    }
    if (c === SQUOTE) {
      restIsEmpty(s, this.singleQuoted(s, p));
      return this.text;
    }
    if (c === LBRACE || c === LBRACKET) {
      const v = this.flow(s, p, line, depth);
      restIsEmpty(s, this.flowEnd);
      return v;
    }
    if (badPlainStart(c)) throw UNSURE;
    if (c === DASH && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE)) throw UNSURE;
    const hash = s.indexOf(" #", p);
    let e = hash < 0 ? s.length : hash;
    while (s.charCodeAt(e - 1) === SPACE) e--;
    const t = s.slice(p, e);
    if (t.includes(": ") || t.charCodeAt(t.length - 1) === COLON || t.startsWith("---") || t.startsWith("...")) throw UNSURE;
    const v = plainValue(t);
    if (typeof v === "number") this.raw = t;
    return v;
  }

  /** The value of the last quoted scalar read. */
  private text = "";
  /** The index just after the last flow collection read. */
  private flowEnd = 0;

  /** A one-line double-quoted scalar at p: sets this.text, returns the index after the closing quote. */
  private doubleQuoted(s: string, p: number): number {
    let out = "";
    let from = p + 1;
    for (;;) {
      const q = s.indexOf('"', from);
      if (q < 0) throw UNSURE;
      const b = s.indexOf("\\", from);
      if (b < 0 || b > q) {
        this.text = out + s.slice(from, q);
        return q + 1;
      }
      out += s.slice(from, b);
      const e = s.charAt(b + 1);
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        from = b + 2;
      } else if (e === "x" || e === "u") {
        const len = e === "x" ? 2 : 4;
        const hex = s.slice(b + 2, b + 2 + len);
        if (hex.length !== len || !HEX.test(hex)) throw UNSURE;
        out += String.fromCodePoint(parseInt(hex, 16));
        from = b + 2 + len;
      } else throw UNSURE;
    }
  }

  /** A one-line single-quoted scalar at p: sets this.text, returns the index after the closing quote. */
  private singleQuoted(s: string, p: number): number {
    let out = "";
    let from = p + 1;
    for (;;) {
      const q = s.indexOf("'", from);
      if (q < 0) throw UNSURE;
      if (s.charCodeAt(q + 1) === SQUOTE) {
        out += s.slice(from, q + 1);
        from = q + 2;
        continue;
      }
      this.text = out + s.slice(from, q);
      return q + 1;
    }
  }

  /** A flow collection that closes on this line, at p (`{` or `[`); sets this.flowEnd. */
  private flow(s: string, p: number, line: number, depth: number): Json {
    if (depth > MAX_DEPTH) throw UNSURE;
    const isMap = s.charCodeAt(p) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const out: JsonObject | Json[] = isMap ? {} : [];
    let q = skipSpaces(s, p + 1);
    if (s.charCodeAt(q) === close) {
      this.flowEnd = q + 1;
      return out;
    }
    for (;;) {
      let key = "";
      if (isMap) {
        const c = s.charCodeAt(q);
        if (c === DQUOTE || c === SQUOTE) {
          q = c === DQUOTE ? this.doubleQuoted(s, q) : this.singleQuoted(s, q);
          key = this.text;
        } else {
          const e = this.flowPlainEnd(s, q);
          key = String(plainValue(s.slice(q, e)));
          q = e;
        }
        if (s.charCodeAt(q) !== COLON || s.charCodeAt(q + 1) !== SPACE) throw UNSURE;
        q = skipSpaces(s, q + 1);
      }
      this.raw = undefined;
      const value = this.flowValue(s, q, line, depth + 1);
      q = skipSpaces(s, this.flowEnd);
      if (Array.isArray(out)) {
        const k = out.length;
        out.push(value);
        if (typeof value === "number") setRaw(out, k, this.raw);
        setPos(out, k, this.pos(line));
      } else if (key !== "__proto__") {
        out[key] = value;
        if (typeof value === "number") setRaw(out, key, this.raw);
        setPos(out, key, this.pos(line));
      }
      const c = s.charCodeAt(q);
      if (c === close) {
        this.flowEnd = q + 1;
        return out;
      }
      if (c !== COMMA) throw UNSURE;
      // A trailing comma, an empty entry or the end of the line after it stops the next entry's read.
      q = skipSpaces(s, q + 1);
    }
  }

  /** A value inside a flow collection, at q; sets this.flowEnd (and this.raw for numbers). */
  private flowValue(s: string, q: number, line: number, depth: number): Json {
    const c = s.charCodeAt(q);
    if (c === DQUOTE) {
      this.flowEnd = this.doubleQuoted(s, q);
      return this.text;
    }
    if (c === SQUOTE) {
      this.flowEnd = this.singleQuoted(s, q);
      return this.text;
    }
    if (c === LBRACE || c === LBRACKET) return this.flow(s, q, line, depth);
    // `[a: b]` (a one-pair map) stops the caller at the `:`.
    const e = this.flowPlainEnd(s, q);
    const t = s.slice(q, e);
    const v = plainValue(t);
    if (typeof v === "number") this.raw = t;
    this.flowEnd = e;
    return v;
  }

  /** The end (trailing spaces excluded) of a plain scalar inside a flow collection, at q. */
  private flowPlainEnd(s: string, q: number): number {
    const c = s.charCodeAt(q);
    if (badPlainStart(c) || q >= s.length) throw UNSURE;
    if (c === DASH && (q + 1 === s.length || s.charCodeAt(q + 1) === SPACE)) throw UNSURE;
    let e = q;
    for (; e < s.length; e++) {
      const d = s.charCodeAt(e);
      if (d === COMMA || d === LBRACE || d === RBRACE || d === LBRACKET || d === RBRACKET || d === COLON) break;
      if (d === HASH || d === DQUOTE || d === SQUOTE) throw UNSURE;
    }
    while (s.charCodeAt(e - 1) === SPACE) e--;
    if (e === q) throw UNSURE;
    const t = s.slice(q, e);
    if (t.startsWith("---") || t.startsWith("...")) throw UNSURE;
    return e;
  }
}

/**
 * The documents of a YAML text in the plain subset, with positions and numeric spellings, null documents
 * dropped; undefined when the text is not (certainly) in the subset. Throws only on a bug in this reader.
 */
export function parseFast(text: string, file: string): LoadedDoc[] | undefined {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    return new FastReader(text, file).documents();
  } catch (err) {
    if (err === UNSURE) return undefined;
    throw err;
  }
}

/** parseFast for the scan: a bug in this reader must not cost a file, so any failure means "use `yaml`". */
export function fastLoadYaml(text: string, file: string): LoadedDoc[] | undefined {
  try {
    return parseFast(text, file);
  } catch {
    return undefined;
  }
}
