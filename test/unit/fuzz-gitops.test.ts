/**
 * Fuzzing the parsers and the edit with fast-check: random text, random YAML, and mutations of
 * the fixture repositories (test/fixtures/gitops and, when present, ../shared/fixtures/real-gitops,
 * read in place). For every input: no crash, no input slower than a bound, and every problem is a
 * warning that names a file and a line. The edit either produces a plan or refuses with an
 * EditPlanError — never another exception. Runs are sized by work (sampled files, bounded sizes),
 * not by the clock, to keep the whole file near 15 s on 2 cores.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseLadderConfig } from "../../lib/gitops/ladder-config";
import { memorySnapshot } from "../../lib/gitops/memory-snapshot";
import { EditPlanError, planDigestEdit } from "../../lib/gitops/plan-edit";
import { scanRepository } from "../../lib/gitops/scan";
import type { ScanWarning } from "../../lib/gitops/types";
import { loadYaml } from "../../lib/gitops/yaml-source";

/** Longest any single input may take (a hang or a blow-up shows as a slow input). */
const BOUND_MS = 2_000;

const FIXTURE_ROOTS = [path.resolve("test/fixtures/gitops"), path.resolve("../shared/fixtures/real-gitops")];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** Every fixture repository (a directory with YAML under it): its files, relative paths → text. */
function fixtureRepos(): Array<{ name: string; files: Record<string, string> }> {
  const repos: Array<{ name: string; files: Record<string, string> }> = [];
  for (const root of FIXTURE_ROOTS) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue; // ../shared is optional
    }
    for (const name of entries) {
      const dir = path.join(root, name);
      if (!statSync(dir).isDirectory()) continue;
      const files: Record<string, string> = {};
      for (const file of walk(dir)) {
        if (!/\.(ya?ml|json)$/.test(file) || statSync(file).size > 256 * 1024) continue;
        files[path.relative(dir, file).split(path.sep).join("/")] = readFileSync(file, "utf8");
      }
      if (Object.keys(files).length > 0) repos.push({ name, files });
    }
  }
  return repos;
}

const repos = fixtureRepos();
const yamlTexts = repos.flatMap((r) => Object.entries(r.files).filter(([p]) => /\.ya?ml$/.test(p)));
const ladderTexts = yamlTexts.filter(([p]) => p.endsWith("ladder.yaml")).map(([, t]) => t);

/** Characters that matter to YAML, so random text reaches the parser's corners. */
const yamlChar = fc.constantFrom(..." \n\t:-[]{},&*!|>'\"#%@`?=~0123abcxyz.\\/\r\uFEFF".split(""));
const yamlish = fc.array(yamlChar, { maxLength: 300 }).map((cs) => cs.join(""));

const SNIPPETS = [
  "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
  "<<: *undefined\n",
  "? [complex, key]\n: value\n",
  "--- !!binary\nR0lGODlhDAAMAIQAAP\n",
  "images:\n  - name: x\n    digest: sha256:zz\n",
  "key: 1e999999\n",
  "\t- tab\n",
  "%YAML 1.3\n---\n",
  "!!python/object:os.system\n",
  "'unterminated\n",
  "[".repeat(60),
  "- ".repeat(120),
];

/** A mutation of `text`: deletions, duplications, inserted noise or snippets, re-indentation, truncation. */
function mutated(textArb: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.nat({ max: 80 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: yamlish }),
    fc.record({ kind: fc.constant("snippet" as const), at: fc.nat(), text: fc.constantFrom(...SNIPPETS) }),
    fc.record({ kind: fc.constant("dupLine" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("crlf" as const) }),
  );
  return fc.tuple(textArb, fc.array(op, { minLength: 1, maxLength: 4 })).map(([text, ops]) => {
    let t = text;
    for (const o of ops) {
      const at = "at" in o ? o.at % (t.length + 1) : 0;
      if (o.kind === "delete") t = t.slice(0, at) + t.slice(at + o.len);
      else if (o.kind === "insert" || o.kind === "snippet") t = t.slice(0, at) + o.text + t.slice(at);
      else if (o.kind === "truncate") t = t.slice(0, at);
      else if (o.kind === "crlf") t = t.replace(/\n/g, "\r\n");
      else {
        const lines = t.split("\n");
        const i = at % Math.max(lines.length, 1);
        const line = lines[i] ?? "";
        if (o.kind === "dupLine") lines.splice(i, 0, line);
        else lines[i] = o.by >= 0 ? " ".repeat(o.by) + line : line.replace(new RegExp(`^ {0,${-o.by}}`), "");
        t = lines.join("\n");
      }
    }
    return t;
  });
}

/** Random YAML that parses: arbitrary JSON values serialised, sometimes as several documents. */
const randomYaml = fc
  .array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 3 })
  .map((docs) => docs.map((d) => stringify(d)).join("---\n"));

function timed<T>(what: string, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const ms = performance.now() - started;
  if (ms > BOUND_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  return result;
}

async function timedAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  if (ms > BOUND_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  return result;
}

function expectLocated(warnings: readonly ScanWarning[], files?: ReadonlySet<string>): void {
  for (const w of warnings) {
    expect(typeof w.file, JSON.stringify(w)).toBe("string");
    expect(w.file.length, JSON.stringify(w)).toBeGreaterThan(0);
    if (files) expect(files.has(w.file), `warning names a real file: ${JSON.stringify(w)}`).toBe(true);
    expect(Number.isInteger(w.line) && w.line >= 1, JSON.stringify(w)).toBe(true);
    expect(w.message.length, JSON.stringify(w)).toBeGreaterThan(0);
  }
}

/**
 * The mutation corpus grows with ../shared; the work per run must not. Each run mutates a seeded
 * sample of the fixture files (at most SAMPLE_FILES, each at most SAMPLE_FILE_BYTES; SAMPLE_RUNS
 * mutations), so its cost stays flat however many repositories are added. Set LADDER_FUZZ_SEED
 * to reproduce a run or to vary the sample.
 */
const SAMPLE_FILES = 120;
const SAMPLE_FILE_BYTES = 8 * 1024;
/** Mutations per run: about 1 s on an idle 2-core machine, so load cannot push it past 5 s. */
const SAMPLE_RUNS = 400;
const FUZZ_SEED = Number(process.env.LADDER_FUZZ_SEED ?? 20_261_201);

/** A deterministic pseudo-random sample (mulberry32-driven Fisher–Yates) of `items`. */
function seededSample<T>(items: readonly T[], count: number, seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out.slice(0, count);
}

const fixtureSample = seededSample(
  yamlTexts.filter(([, t]) => t.length <= SAMPLE_FILE_BYTES),
  SAMPLE_FILES,
  FUZZ_SEED,
);
const fixtureYaml = fc.constantFrom(...fixtureSample.map(([, t]) => t));

it("has fixtures to mutate", () => {
  expect(repos.length).toBeGreaterThanOrEqual(2);
  expect(yamlTexts.length).toBeGreaterThan(10);
  expect(ladderTexts.length).toBeGreaterThanOrEqual(1);
});

describe("YAML reader (loadYaml)", () => {
  const check = (text: string) => {
    const lines = text.split(/\r?\n/).length;
    const result = timed("loadYaml", () => loadYaml(text, "fuzz/input.yaml"));
    expectLocated(result.warnings, new Set(["fuzz/input.yaml"]));
    for (const w of result.warnings) expect(w.line).toBeLessThanOrEqual(lines + 1);
    for (const doc of result.docs) expect(doc.line).toBeGreaterThanOrEqual(1);
  };

  it("random text", () => {
    fc.assert(fc.property(yamlish, check), { numRuns: 1000 });
  });
  it("random valid YAML", () => {
    fc.assert(fc.property(randomYaml, check), { numRuns: 300 });
  });
  it("mutated fixture files", () => {
    expect(fixtureSample.length).toBe(Math.min(SAMPLE_FILES, yamlTexts.filter(([, t]) => t.length <= SAMPLE_FILE_BYTES).length));
    fc.assert(fc.property(mutated(fixtureYaml), check), { numRuns: SAMPLE_RUNS, seed: FUZZ_SEED });
  });
});

describe("ladder.yaml parser (parseLadderConfig)", () => {
  const check = (text: string) => {
    const result = timed("parseLadderConfig", () => parseLadderConfig(text, "ladder.yaml"));
    expectLocated(result.ok ? result.warnings : result.errors, new Set(["ladder.yaml"]));
    if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  };
  const ladderLike = fc.constantFrom(
    ...ladderTexts,
    "version: 1\nenvironments: [dev, staging, prod]\napps:\n  - path: apps/{app}/overlays/{env}\n",
    "environments:\n  - dev\n  - {name: prod, from: dev, freeze: {reason: x}, soak: 24h, promoters: [a]}\napps:\n  - name: api\n    paths: {dev: a/dev, prod: a/prod}\n",
  );

  it("random text and random YAML", () => {
    fc.assert(fc.property(fc.oneof(yamlish, randomYaml), check), { numRuns: 600 });
  });
  it("mutated ladder.yaml files", () => {
    fc.assert(fc.property(mutated(ladderLike), check), { numRuns: 1000 });
  });
});

describe("scan and the edit (scanRepository, planDigestEdit)", () => {
  const editable = repos.filter((r) => Object.keys(r.files).length <= 150);
  const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
  // One mutated file per repository: the scan must report, not throw; the edit must plan or refuse.
  const repoWithMutation = fc
    .constantFrom(...editable)
    .chain((repo) =>
      fc.record({
        repo: fc.constant(repo),
        file: fc.constantFrom(...Object.keys(repo.files)),
        mutate: fc.boolean(),
        seed: fc.nat(),
        digest,
      }),
    )
    .chain((c) =>
      (c.mutate ? mutated(fc.constant(c.repo.files[c.file] ?? "")) : fc.constant(c.repo.files[c.file] ?? "")).map((text) => ({
        ...c,
        text,
      })),
    );

  it("mutated fixture repositories: no crash, located warnings, a plan or an EditPlanError", async () => {
    const runs = 300;
    // Cases that got as far as the edit, and of those the ones that produced a plan to check.
    let edits = 0;
    let plans = 0;
    await fc.assert(
      fc.asyncProperty(repoWithMutation, async ({ repo, file, text, seed, digest: newDigest }) => {
        const files = { ...repo.files, [file]: text };
        const snapshot = memorySnapshot(files);
        const scan = await timedAsync("scanRepository", () => scanRepository(snapshot));
        // Warnings name a file of the repository (or the repository root for layout guesses).
        expectLocated(scan.warnings, new Set(Object.keys(files)));
        const cells = scan.apps.flatMap((a) =>
          Object.entries(a.environments).flatMap(([env, cell]) => cell.images.map((image) => ({ app: a.name, env, image }))),
        );
        if (cells.length === 0) return;
        const target = cells[seed % cells.length];
        if (!target) return;
        edits++;
        try {
          const plan = await timedAsync("planDigestEdit", () =>
            planDigestEdit(snapshot, scan, {
              app: target.app,
              env: target.env,
              image: target.image.repository,
              digest: newDigest,
            }),
          );
          expect(plan.after).toContain(newDigest.slice("sha256:".length));
          expect(Object.keys(files)).toContain(plan.path);
          plans++;
        } catch (error) {
          if (!(error instanceof EditPlanError)) throw error;
        }
      }),
      // Seeded like the sample above, so a failure reproduces (LADDER_FUZZ_SEED varies it).
      { numRuns: runs, seed: FUZZ_SEED },
    );
    // Without these floors, fixtures or mutations that leave no image (or refuse every edit)
    // would return before the assertions on every run and pass unseen.
    expect(edits, `cases that reached the edit, of ${runs}`).toBeGreaterThanOrEqual(runs / 2);
    expect(plans, `edits that produced a plan, of ${edits}`).toBeGreaterThanOrEqual(edits / 2);
  }, 60_000);
});
