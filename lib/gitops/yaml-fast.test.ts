import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastLoadYaml, parseFast } from "./yaml-fast";
import { metaEntries } from "./yaml-positions";
import { getPos, type Json, type LoadResult, loadYaml, loadYamlWithPackage, rawSpelling } from "./yaml-source";

/**
 * yaml-fast.ts must read every text it accepts exactly as the `yaml` package path does: values, key
 * order, the position side table, numeric spellings, document lines, no warnings. Each case compares
 * loadYaml (fast path first) with loadYamlWithPackage, and parseFast alone (which throws on a bug
 * instead of falling back) with the package path whenever it accepts the text.
 */

const FIXTURES = path.resolve(__dirname, "../../../shared/fixtures");
const SEED = Number(process.env.LADDER_YAML_SEED ?? 15);
const RUNS = Number(process.env.LADDER_YAML_RUNS ?? 1500);

function sideTable(o: object): string {
  return JSON.stringify(metaEntries(o));
}

function slotDifference(a: object, b: object, k: string | number, at: string): string | undefined {
  const pa = getPos(a, k);
  const pb = getPos(b, k);
  if (pa?.file !== pb?.file || pa?.line !== pb?.line) return `${at}: position ${JSON.stringify(pa)} ≠ ${JSON.stringify(pb)}`;
  if (rawSpelling(a, k) !== rawSpelling(b, k)) return `${at}: spelling ${rawSpelling(a, k)} ≠ ${rawSpelling(b, k)}`;
  return undefined;
}

/** The first difference between two values, their positions and spellings, or undefined. */
function valueDifference(a: Json, b: Json, at: string): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
    if (a.length !== b.length) return `${at}: length ${a.length} ≠ ${b.length}`;
    if (sideTable(a) !== sideTable(b)) return `${at}: side table ${sideTable(a)} ≠ ${sideTable(b)}`;
    for (let i = 0; i < a.length; i++) {
      const d = slotDifference(a, b, i, `${at}[${i}]`) ?? valueDifference(a[i] ?? null, b[i] ?? null, `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join("\u0000") !== kb.join("\u0000")) return `${at}: keys ${JSON.stringify(ka)} ≠ ${JSON.stringify(kb)}`;
    if (sideTable(a) !== sideTable(b)) return `${at}: side table ${sideTable(a)} ≠ ${sideTable(b)}`;
    for (const k of ka) {
      const d = slotDifference(a, b, k, `${at}.${k}`) ?? valueDifference(a[k] ?? null, b[k] ?? null, `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at}: ${String(a)} ≠ ${String(b)}`;
}

function difference(a: LoadResult, b: LoadResult): string | undefined {
  if (JSON.stringify(a.warnings) !== JSON.stringify(b.warnings))
    return `warnings ${JSON.stringify(a.warnings)} ≠ ${JSON.stringify(b.warnings)}`;
  if (a.docs.length !== b.docs.length) return `${a.docs.length} ≠ ${b.docs.length} documents`;
  for (const [i, da] of a.docs.entries()) {
    const db = b.docs[i];
    if (!db || da.line !== db.line || da.file !== db.file) return `document ${i}: line ${da.line} ≠ ${db?.line}`;
    const d = valueDifference(da.value, db.value, `doc${i}`);
    if (d) return d;
  }
  return undefined;
}

/** Compares both paths on one text; returns whether the fast path accepted it. */
function check(text: string, file = "f.yaml"): boolean {
  const reference = loadYamlWithPackage(text, file);
  const fast = parseFast(text, file);
  if (fast) {
    const d = difference({ docs: fast, warnings: [] }, reference);
    if (d) throw new Error(`fast path differs: ${d}\n--- text ---\n${text}`);
  }
  if (!fast) {
    // loadYaml then reads with the package alone (re-reading it here would double the test's time).
    if (fastLoadYaml(text, file) !== undefined) throw new Error(`fastLoadYaml accepted what parseFast refused:\n${text}`);
    return false;
  }
  const d = difference(loadYaml(text, file), reference);
  if (d) throw new Error(`loadYaml differs: ${d}\n--- text ---\n${text}`);
  return true;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

describe("yaml-fast against the yaml package", () => {
  it.each([
    ["a block map with a flow map", "spec:\n  limits: {cpu: 500m, memory: 256Mi}\n  args: [a, 'b', \"c\"]\n"],
    ["documents and comments", "# head\n---\na: 1 # one\n---\n\n---\nb: [x]\n"],
    ["core-schema scalars", "a: yes\nb: 0x1F\nc: 1e3\nd: .inf\ne: ~\nf: 1.0\ng: 0o17\nh: +12\ni: True\n"],
    ["quoted scalars", "a: \"quoted: x\"\nb: 'it''s'\nc: \"\\u00e9\\t\"\nd: a#b\ne: a #b\n"],
    ["keys with colons and spaces", 'a:b: 1\nkey with spaces: 2\n"q: k": 3\n1.0: 4\n~: 5\n__proto__: 6\n'],
    ["compact sequences", "- - x\n  - y\n- key: v\n  other: w\n-\n  nested: 1\n- list:\n  - a\n  more: 2\n"],
    ["CRLF and trailing spaces", "a: 1   \r\nb:   \r\n  - x  \r\n"],
  ])("reads %s through the fast path", (_name, text) => {
    expect(check(text)).toBe(true);
  });

  it.each([
    ["anchors and aliases", "a: &x 1\nb: *x\n"],
    ["tags", "a: !!str 1\n"],
    ["block scalars", "a: |\n  text\n"],
    ["multi-line plain scalars", "a: one\n  two\n"],
    ["tabs", "a:\t1\n"],
    ["malformed YAML", "a: b: c\n"],
    ["a flow collection over two lines", "a: [x,\n  y]\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["a comment inside a flow collection", "a: [x #c]\n"],
    ["a key longer than 1024 characters", `${"k".repeat(1100)}: v\n`],
    ["nesting deeper than the yaml path reads", `${Array.from({ length: 210 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} 1\n`],
  ])("leaves %s to the yaml package", (_name, text) => {
    expect(check(text)).toBe(false);
  });

  it.skipIf(!existsSync(FIXTURES))(
    "reads every YAML file under the shared fixtures as the yaml package does",
    () => {
      const files = yamlFilesUnder(FIXTURES);
      expect(files.length).toBeGreaterThan(100);
      let fast = 0;
      for (const f of files) if (check(readFileSync(f, "utf8"), path.relative(FIXTURES, f))) fast++;
      // Most real manifests are in the subset; if this drops, the fast path stopped helping.
      expect(fast / files.length).toBeGreaterThan(0.5);
    },
    60_000,
  );

  it("reads generated documents, and mutations of them, as the yaml package does", () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(documentArb, fc.array(editArb, { maxLength: 3 }), (text, edits) => {
        runs++;
        if (check(text)) accepted++;
        check(applyEdits(text, edits));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator must exercise the fast path, not only the fallback.
    expect(accepted / runs).toBeGreaterThan(0.3);
  }, 600_000);

  it("reads generated one-line flow collections as the yaml package does", () => {
    let accepted = 0;
    fc.assert(
      fc.property(flowArb, fc.constantFrom("a: ", "- ", "a:\n  - ", "- a: "), (flow, lead) => {
        if (check(`${lead}${flow}\n`)) accepted++;
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
    expect(accepted).toBeGreaterThan(RUNS / 5);
  }, 600_000);
});

// ---- generated YAML ----

const NASTY_PLAIN = [
  "x",
  "nginx:1.27",
  "ghcr.io/acme/api@sha256:abc",
  "500m",
  "256Mi",
  "yes",
  "no",
  "on",
  "0x1F",
  "0o17",
  "017",
  "1e3",
  "1E-3",
  ".5",
  "1.",
  "1.0",
  "-0",
  "+12",
  "12345678901234567890",
  ".inf",
  "-.Inf",
  ".NaN",
  "~",
  "null",
  "Null",
  "NULL",
  "true",
  "False",
  "TRUE",
  "tRue",
  "1_000",
  "0b11",
  "12:30",
  "2024-01-01",
  "a#b",
  "a #b",
  "http://x:80/y",
  "-x",
  "- x",
  ":x",
  "?x",
  "a: b",
  "a:",
  "[a",
  "a]",
  "a, b",
  "'x",
  "x'",
  '"x',
  "%x",
  "@x",
  "`x",
  "&a",
  "*a",
  "!tag x",
  "|",
  ">",
  "---",
  "...",
  "é ü",
  "a  b",
  "a\tb",
  'echo "a: b"',
];
const QUOTED = [
  "''",
  '""',
  "'it''s'",
  '"quoted: x"',
  "'# not a comment'",
  '"a\\\\b"',
  '"\\x41\\u00e9"',
  '"\\q"',
  '"tab\\tx"',
  '"\\"in\\""',
  "'unterminated",
  '"unterminated',
  '"a" b',
  "'a'#c",
];
const FLOW = [
  "{cpu: 500m, memory: 256Mi}",
  "[a, b]",
  "[]",
  "{}",
  "[1, 2.0, \"x\", 'y']",
  "{a: [1, {b: c}]}",
  "[a, ]",
  "{a: 1,}",
  "[a: b]",
  "{a}",
  '{"a":1}',
  "[a,b]",
  "[ a , b ]",
  "{ a: 1 }#c",
  "[a] # c",
  "[http://x]",
  "{a: b",
  "[~, null, .inf, 0x1F]",
  "{__proto__: 1, k: 2}",
];
const KEYS = [
  "a",
  "b",
  "name",
  "image",
  "key with spaces",
  "a:b",
  '"quoted: key"',
  "'single key'",
  "1",
  "1.0",
  "0x1F",
  "true",
  "~",
  "null",
  "__proto__",
  "constructor",
  '"__proto__"',
  "-x",
  "a#b",
  "a #b",
  '""',
  "? x",
  "[a]",
  "x[0]",
  "&anc k",
  "a ",
];
const TRAILING = ["", "", "", " ", "   ", " # c", "  #c: d", "#c"];

type Node =
  | { t: "scalar"; text: string }
  | { t: "map"; entries: { key: string; value: Node; trailing: string }[] }
  | { t: "seq"; items: { value: Node; trailing: string }[]; compact: boolean };

const trailingArb = fc.constantFrom(...TRAILING);

/** One-line flow collections built from the same nasty pieces. */
const { flow: flowArb } = fc.letrec<{ flow: string; item: string }>((tie) => ({
  flow: fc.oneof(
    { depthSize: "small" },
    fc
      .record({ items: fc.array(tie("item"), { maxLength: 4 }), sep: fc.constantFrom(", ", ",", " , ", ",  ") })
      .map(({ items, sep }) => `[${items.join(sep)}]`),
    fc
      .record({
        pairs: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("item")), { maxLength: 4 }),
        sep: fc.constantFrom(", ", ","),
        colon: fc.constantFrom(": ", ":", " : "),
      })
      .map(({ pairs, sep, colon }) => `{${pairs.map(([k, v]) => `${k}${colon}${v}`).join(sep)}}`),
  ),
  item: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NASTY_PLAIN, ...QUOTED) }, { weight: 1, arbitrary: tie("flow") }),
}));

const scalarArb: fc.Arbitrary<Node> = fc
  .oneof(
    { weight: 5, arbitrary: fc.constantFrom(...NASTY_PLAIN) },
    { weight: 2, arbitrary: fc.constantFrom(...QUOTED) },
    { weight: 2, arbitrary: fc.constantFrom(...FLOW) },
    { weight: 2, arbitrary: flowArb },
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9 .:#'"\-[\]{},]{1,8}$/) },
  )
  .map((text) => ({ t: "scalar", text }));

const { node: nodeArb } = fc.letrec<{ node: Node; map: Node; seq: Node }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarArb, tie("map"), tie("seq")),
  map: fc
    .array(fc.record({ key: fc.constantFrom(...KEYS), value: tie("node"), trailing: trailingArb }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((entries) => ({ t: "map" as const, entries })),
  seq: fc
    .record({
      items: fc.array(fc.record({ value: tie("node"), trailing: trailingArb }), { minLength: 1, maxLength: 4 }),
      compact: fc.boolean(),
    })
    .map(({ items, compact }) => ({ t: "seq" as const, items, compact })),
}));

interface Style {
  step: number;
  /** `- key: v` on the item's line rather than on the next. */
  inlineItems: boolean;
  comments: boolean;
}

/** Lines of a node rendered at an indent (the first line's indentation included). */
function render(node: Node, indent: number, style: Style): string[] {
  const pad = " ".repeat(indent);
  if (node.t === "scalar") return [`${pad}${node.text}`];
  if (node.t === "map") {
    const lines: string[] = [];
    for (const { key, value, trailing } of node.entries) {
      if (style.comments && trailing === " ") lines.push(`${" ".repeat(indent + (key.length % 3))}# between`);
      if (style.comments && trailing === "   ") lines.push(" ".repeat(key.length % 5));
      if (value.t === "scalar") lines.push(`${pad}${key}:${value.text ? ` ${value.text}` : ""}${trailing}`);
      else {
        lines.push(`${pad}${key}:${trailing.startsWith(" #") ? trailing : ""}`);
        const inner = value.t === "seq" && value.compact ? indent : indent + style.step;
        lines.push(...render(value, inner, style));
      }
    }
    return lines;
  }
  const lines: string[] = [];
  for (const { value, trailing } of node.items) {
    if (value.t === "scalar") lines.push(`${pad}-${value.text ? ` ${value.text}` : ""}${trailing}`);
    else if (style.inlineItems) {
      const inner = render(value, indent + 2, style);
      lines.push(`${pad}- ${(inner[0] ?? "").slice(indent + 2)}`, ...inner.slice(1));
    } else {
      lines.push(`${pad}-${trailing.startsWith(" #") ? trailing : ""}`, ...render(value, indent + style.step, style));
    }
  }
  return lines;
}

const documentArb: fc.Arbitrary<string> = fc
  .record({
    docs: fc.array(fc.oneof(fc.constantFrom<Node>({ t: "map", entries: [] }), nodeArb), { minLength: 1, maxLength: 3 }),
    step: fc.integer({ min: 1, max: 4 }),
    inlineItems: fc.boolean(),
    comments: fc.boolean(),
    crlf: fc.boolean(),
    leading: fc.constantFrom("", "# head\n", "---\n", "\n\n", "--- # c\n"),
    base: fc.constantFrom(0, 0, 0, 2),
  })
  .map(({ docs, step, inlineItems, comments, crlf, leading, base }) => {
    const style = { step, inlineItems, comments };
    const text =
      leading +
      docs
        .map((d) => (d.t === "map" && d.entries.length === 0 ? "# empty\n" : `${render(d, base, style).join("\n")}\n`))
        .join("---\n");
    return crlf ? text.replace(/\n/g, "\r\n") : text;
  });

type Edit = { at: number; op: "insert" | "delete" | "indent" | "duplicate" | "line"; ch: string; line: string };
/** Whole lines a mutation may insert: markers, directives, comments and items at odd places. */
const LINES = ["---", "...", "  ---", "--- x", "---x", "%YAML 1.2", "# c", "   # c", "   ", "-", "- x", " x: y", "x:", "  - - y"];
const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Edit["op"]>("insert", "insert", "delete", "indent", "duplicate", "line"),
  ch: fc.constantFrom(" ", "-", ":", "#", "'", '"', "{", "}", "[", "]", ",", "\n", "\t", "\r", "&", "*", "!", "|", ">", "?", "x"),
  line: fc.constantFrom(...LINES),
});

function applyEdits(text: string, edits: Edit[]): string {
  let t = text;
  for (const { at, op, ch, line } of edits) {
    const i = t.length === 0 ? 0 : at % t.length;
    if (op === "insert") t = t.slice(0, i) + ch + t.slice(i);
    else if (op === "delete") t = t.slice(0, i) + t.slice(i + 1);
    else {
      const start = t.lastIndexOf("\n", i - 1) + 1;
      const end = t.indexOf("\n", i);
      const current = t.slice(start, end < 0 ? t.length : end);
      const inserted = op === "indent" ? " " : op === "line" ? `${line}\n` : `${current}\n`;
      t = `${t.slice(0, start)}${inserted}${t.slice(start)}`;
    }
  }
  return t;
}
