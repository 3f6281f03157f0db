import path from "node:path";
import {
  type ComposeOptions,
  chartImageLines,
  evalPipeline,
  helmKeysFromCompositions,
  type ImageComposition,
  type ImageLineNote,
  lookupPath,
  stringLiteral,
  type TplLookup,
  templateActions,
  truthy,
  UNKNOWN,
} from "./chart-image-lines";
import { type FileStore, resolveRepoPath } from "./file-store";
import { mergeValues } from "./helm-values";
import type { CellPlan } from "./layout-plan";
import type { ScanWarning, SourcePos } from "./types";
import { getPos, isObject, type Json, type JsonObject, type LoadResult, loadYaml } from "./yaml-source";

/**
 * Helmfile repositories (`helmfile.yaml`, `helmfile.yaml.gotmpl`, `helmfile.d/*.yaml`): environments, the releases
 * each installs, and the values files helmfile layers for them, read statically.
 *
 * A helmfile is a Go template. It is rendered here per environment with a small evaluator: `.Environment.Name`,
 * environment values (`.Values`, `.StateValues`, `.Environment.Values`), raw strings (`{{` `…` `}}`), comments and
 * `if`/`else`/`with`/`range` on conditions the evaluator understands. Any other action becomes the placeholder
 * TEMPLATED, and a block whose condition is unknown is rendered as if true. Rendering keeps every line where it was,
 * so positions point into the helmfile as written. Release fields are then rendered once more per release
 * (`{{ .Release.Name }}`), as helmfile does. Not read: `helmfiles:` (sub-helmfiles are found on their own), `set:`,
 * `secrets:`, values files that are themselves templates (`*.gotmpl`); they are reported as unreadable.
 */

/** What an action Ladder cannot evaluate renders as. */
export const TEMPLATED = "‹templated›";

/** A path as a helmfile references it, and where. */
export type PathPos = SourcePos & { path: string };

export interface HelmfileRelease {
  name: string;
  chart: string;
  /** The chart in this repository (`wmf-stable/foo` → `charts/foo`), when there is one. */
  chartDir?: string;
  /** In-repo values files in helmfile order (repeats kept: helmfile applies a file listed twice twice). */
  valueFiles: string[];
  /** Values files outside the repository (absolute or escaping paths). */
  outside: PathPos[];
  /** In-repo values files that do not exist: skipped, as helmfile's `missingFileHandler: Warn` does. */
  missing: PathPos[];
  /** Inline values, templated paths and `.gotmpl` values files: applied by helmfile, not read here. */
  unreadable: PathPos[];
  /** Every values layer in order, in-repo or outside, to tell what is applied after what. */
  layers: (PathPos & { outside: boolean })[];
  pos: SourcePos;
}

export interface HelmfileEnvironment {
  name: string;
  pos: SourcePos;
  releases: HelmfileRelease[];
}

export interface Helmfile {
  file: string;
  dir: string;
  /** Files read through `bases:` (they are parts of this helmfile, not helmfiles of their own). */
  bases: string[];
  environments: HelmfileEnvironment[];
  warnings: ScanWarning[];
}

/** `helmfile.yaml`, `helmfile.yaml.gotmpl`, `helmfile.yml`, or a YAML file directly inside a `helmfile.d/`. */
export function isHelmfilePath(p: string): boolean {
  const base = path.posix.basename(p);
  return /^helmfile\.ya?ml(\.gotmpl)?$/.test(base) || /(^|\/)helmfile\.d\/[^/]+\.ya?ml(\.gotmpl)?$/.test(p);
}

/**
 * What `helmfileCellPlans` reads beyond the YAML a scan prefetches (`*.gotmpl` helmfiles, chart `.tpl` templates):
 * `await store.ensure(helmfileInputs(store))` first.
 */
export function helmfileInputs(store: FileStore): string[] {
  return [...store.files.keys()].filter((p) => isHelmfilePath(p) || (p.includes("/templates/") && p.endsWith(".tpl")));
}

/**
 * Renders helmfile template text, keeping line numbers: trim markers remove spaces but not newlines, and skipped
 * blocks leave their newlines behind (blank lines do not change YAML outside block scalars).
 */
export function renderTemplate(text: string, lookup: TplLookup, notes: string[] = []): string {
  let out = "";
  let at = 0;
  // One frame per open block: is its current branch rendered, and has an earlier branch been taken.
  const stack: { on: boolean; taken: boolean }[] = [];
  const on = () => stack.every((f) => f.on);
  const keepLines = (s: string) => s.replace(/[^\n]/g, "");
  const decide = (expr: string): boolean => {
    const v = evalPipeline(expr, lookup);
    if (v === UNKNOWN) notes.push(`condition {{ ${expr} }} not evaluated; its block is read as if true`);
    return v === UNKNOWN || truthy(v);
  };
  for (const a of templateActions(text)) {
    let before = text.slice(at, a.start);
    if (a.trimLeft) before = before.replace(/[ \t]+$/, "");
    out += on() ? before : keepLines(before);
    const [kw = "", ...rest] = a.inner.split(/\s+/);
    const top = stack.at(-1);
    let emit = "";
    if (kw === "if" || kw === "with" || kw === "range") {
      const v = on() && decide(rest.join(" "));
      stack.push({ on: v, taken: v });
    } else if (kw === "define" || kw === "block") stack.push({ on: false, taken: true });
    else if (kw === "else" && top) {
      top.on = !top.taken && stack.slice(0, -1).every((f) => f.on) && (rest[0] !== "if" || decide(rest.slice(1).join(" ")));
      top.taken ||= top.on;
    } else if (kw === "end") stack.pop();
    else if (!a.inner.startsWith("/*") && on()) {
      const raw = stringLiteral(a.inner);
      const v = raw ?? evalPipeline(a.inner, lookup);
      emit = v === UNKNOWN || (typeof v === "object" && v !== null) ? TEMPLATED : v === undefined || v === null ? "" : String(v);
    }
    const lines = keepLines(text.slice(a.start, a.end)).length - keepLines(emit).length;
    out += emit + "\n".repeat(Math.max(0, lines));
    at = a.end;
    if (a.trimRight) while (text[at] === " " || text[at] === "\t") at++;
  }
  return out + (on() ? text.slice(at) : keepLines(text.slice(at)));
}

/** Lookup for helmfile state templates: environment name and values (`undefined` values: not known yet). */
function stateLookup(env: string, values: Json | undefined, release?: { name: string; namespace?: string }): TplLookup {
  return (ref) => {
    if (ref === ".Environment.Name") return env;
    if (release && ref === ".Release.Name") return release.name;
    if (release && ref === ".Release.Namespace") return release.namespace ?? UNKNOWN;
    const m = /^\.(?:Values|StateValues|Environment\.Values)(?:\.(.+))?$/.exec(ref);
    if (!m || values === undefined) return UNKNOWN;
    return m[1] ? lookupPath(values, m[1])?.value : values;
  };
}

/** Maps merge, later documents win; lists (releases, bases) are appended, as helmfile merges state layers. */
function mergeState(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = Array.isArray(prev) && Array.isArray(v) ? [...prev, ...v] : isObject(prev) && isObject(v) ? mergeState(prev, v) : v;
  }
  return out;
}

/** Applies YAML merge keys (`<<: *default`) and helmfile's `inherit: [{template: x}]`: own keys win. */
function withTemplates(r: JsonObject, templates: JsonObject): JsonObject {
  const from = [r["<<"], ...(Array.isArray(r.inherit) ? r.inherit : [])].flat();
  let out: JsonObject = {};
  for (const t of from) {
    const named = isObject(t) && typeof t.template === "string" ? templates[t.template] : t;
    if (isObject(named)) out = { ...out, ...withTemplates(named, templates) };
  }
  return { ...out, ...r };
}

const parsed = new WeakMap<FileStore, Map<string, LoadResult>>();

/**
 * Renders and parses a helmfile and its `bases:` for one environment (`values`: the environment's values, undefined
 * while they are not known). Bases read are added to `bases`; `chain` stops a base that includes itself.
 */
function loadState(
  store: FileStore,
  file: string,
  env: string,
  values: Json | undefined,
  w: ScanWarning[],
  bases: Set<string>,
  chain: readonly string[] = [file],
): JsonObject {
  const notes: string[] = [];
  const rendered = renderTemplate(store.text(file) ?? "", stateLookup(env, values), notes);
  // The same rendering recurs (bases shared by every service, environments that render alike): parse it once.
  const cache = parsed.get(store) ?? new Map<string, LoadResult>();
  parsed.set(store, cache);
  const loaded = cache.get(`${file}\u0000${rendered}`) ?? loadYaml(rendered, file);
  cache.set(`${file}\u0000${rendered}`, loaded);
  w.push(...loaded.warnings, ...[...new Set(notes)].map((message) => ({ file, line: 1, message, code: "helmfile-template" })));
  let state: JsonObject = {};
  for (const d of loaded.docs) {
    if (!isObject(d.value)) continue;
    for (const b of Array.isArray(d.value.bases) ? d.value.bases : []) {
      const p = typeof b === "string" ? resolveRepoPath(path.posix.dirname(file), b) : undefined;
      if (p === undefined || !store.isFile(p) || chain.includes(p)) continue;
      bases.add(p);
      state = mergeState(state, loadState(store, p, env, values, w, bases, [...chain, p]));
    }
    state = mergeState(state, d.value);
  }
  return state;
}

/** The chart directory a release's `chart:` means: a local path, else `charts/<last segment>` in the repository. */
export function chartDirFor(store: FileStore, dir: string, chart: string): string | undefined {
  const local = /^\.{0,2}\//.test(chart) ? resolveRepoPath(dir, chart) : undefined;
  if (local !== undefined && store.isFile(local ? `${local}/Chart.yaml` : "Chart.yaml")) return local;
  const name = chart
    .replace(/^oci:\/\//, "")
    .split("/")
    .pop();
  if (!name) return undefined;
  const found = [...store.files.keys()].filter(
    (p) => p === `charts/${name}/Chart.yaml` || p.endsWith(`/charts/${name}/Chart.yaml`),
  );
  // The root `charts/<name>` first; elsewhere only when it is the one chart of that name.
  const at = found.includes(`charts/${name}/Chart.yaml`)
    ? `charts/${name}/Chart.yaml`
    : found.length === 1
      ? found[0]
      : undefined;
  return at && path.posix.dirname(at);
}

const str = (v: Json | undefined) =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** The environment's values: the helmfile's root `values:`, then the environment's inline maps and in-repo files. */
function environmentValues(store: FileStore, dir: string, state: JsonObject, env: string): JsonObject {
  const e = isObject(state.environments) ? state.environments[env] : undefined;
  let values: JsonObject = {};
  for (const v of [
    ...(Array.isArray(state.values) ? state.values : []),
    ...(isObject(e) && Array.isArray(e.values) ? e.values : []),
  ]) {
    const p = typeof v === "string" && !v.includes(TEMPLATED) ? resolveRepoPath(dir, v) : undefined;
    const doc = typeof v === "string" ? (p ? store.peek(p).docs[0]?.value : undefined) : v;
    if (isObject(doc)) values = mergeValues(values, doc);
  }
  return values;
}

/** Whether a release is installed in the environment (`installed`, `condition`, `installedTemplate`). */
function installed(r: JsonObject, env: string, values: JsonObject, release: { name: string; namespace?: string }): boolean {
  if (str(r.installed) === "false") return false;
  const cond = str(r.condition);
  if (cond && lookupPath(values, cond)?.value === false) return false;
  const tpl = str(r.installedTemplate);
  return !tpl || renderTemplate(tpl, stateLookup(env, values, release)).trim() !== "false";
}

/** One release's values layers for an environment, rendered for the release and sorted into what can be read. */
function releaseOf(store: FileStore, file: string, r: JsonObject, env: string, values: JsonObject): HelmfileRelease {
  const dir = path.posix.dirname(file) === "." ? "" : path.posix.dirname(file);
  const name = str(r.name) ?? "";
  const release = { name, namespace: str(r.namespace) };
  const chart = str(r.chart) ?? "";
  const out: HelmfileRelease = {
    name,
    chart,
    chartDir: chart && !chart.includes(TEMPLATED) ? chartDirFor(store, dir, chart) : undefined,
    valueFiles: [],
    outside: [],
    missing: [],
    unreadable: [],
    layers: [],
    pos: getPos(r, "name") ?? { file, line: 1 },
  };
  const list = Array.isArray(r.values) ? r.values : [];
  list.forEach((v, i) => {
    const pos = getPos(list, i) ?? out.pos;
    if (typeof v !== "string") {
      out.unreadable.push({ ...pos, path: "(inline values)" });
      return;
    }
    const ref = renderTemplate(v, stateLookup(env, values, release));
    const p = ref.startsWith("/") ? undefined : resolveRepoPath(dir, ref);
    const at = { ...pos, path: p ?? ref };
    if (p === undefined) out.outside.push(at);
    else if (ref.includes(TEMPLATED) || /\.gotmpl$/.test(p)) out.unreadable.push(at);
    else if (!store.isFile(p)) out.missing.push(at);
    else out.valueFiles.push(p);
    if (p === undefined || store.isFile(p)) out.layers.push({ ...at, outside: p === undefined });
  });
  return out;
}

/** Reads one helmfile: its environments (file order; `default` when it declares none) and their releases. */
export function readHelmfile(store: FileStore, file: string): Helmfile {
  const dir = path.posix.dirname(file) === "." ? "" : path.posix.dirname(file);
  const warnings: ScanWarning[] = [];
  const bases = new Set<string>();
  // A first rendering, with environment values unknown, finds the environments and their values.
  const first = loadState(store, file, "default", undefined, [], bases);
  const declared = isObject(first.environments) ? first.environments : {};
  const names = Object.keys(declared).length ? Object.keys(declared) : ["default"];
  const environments = names.map((env) => {
    const values = environmentValues(store, dir, loadState(store, file, env, undefined, [], bases), env);
    const state = loadState(store, file, env, values, warnings, bases);
    const templates = isObject(state.templates) ? state.templates : {};
    const releases = (Array.isArray(state.releases) ? state.releases : [])
      .filter(isObject)
      .map((r) => ({ r: withTemplates(r, templates), raw: r }))
      .filter(({ r }) => installed(r, env, values, { name: str(r.name) ?? "", namespace: str(r.namespace) }))
      .map(({ r, raw }) => ({ ...releaseOf(store, file, r, env, values), pos: getPos(raw, "name") ?? { file, line: 1 } }));
    return { name: env, pos: getPos(declared, env) ?? { file, line: 1 }, releases };
  });
  const unique = new Map(warnings.map((w) => [`${w.file}:${w.line}:${w.message}`, w]));
  return { file, dir, bases: [...bases], environments, warnings: [...unique.values()] };
}

/**
 * `ComposeOptions.overriddenBy` for a release's values layers (`HelmfileRelease.layers`): a value decided by the chart's defaults (values.yaml or a template
 * default) or by an in-repo file is not final when a values file outside the repository is applied after it.
 * Outside files named like secrets (`secret`, `private`, `credential`) are assumed not to set images.
 */
export function outsideOverrides(layers: HelmfileRelease["layers"]): ComposeOptions["overriddenBy"] {
  const later = (i: number) => layers.slice(i + 1).filter((l) => l.outside && !/secret|private|credential/i.test(l.path));
  return ({ source, from }) => {
    if (from === "literal" || from === "appVersion") return undefined;
    const own = from === "values" ? layers.findLastIndex((l) => !l.outside && l.path === source.file) : -1;
    const after = later(own);
    const what = own === -1 ? "the chart's defaults" : source.file;
    return after.length
      ? `set by ${what} (${source.file}:${source.line}); ${after.map((l) => l.path).join(", ")}, outside the repository and applied after it, may override it`
      : undefined;
  };
}

export interface HelmfileCellExtras {
  helmfile: string;
  /** The releases folded into the cell; the plan's valueFiles are the first one's. */
  releases: (HelmfileRelease & { ownValueFiles: string[] })[];
  compositions: ImageComposition[];
  notComposable: ImageLineNote[];
  outside: PathPos[];
  missing: PathPos[];
  unreadable: PathPos[];
}

/**
 * Cells from every helmfile: app = the helmfile's directory (`helmfile.d/services/<svc>`) when its releases share one
 * chart, else one app per chart; env = the helmfile environment; the environment's releases of that chart fold into
 * one cell. `claimedFiles` are the values files helmfiles use, which other detectors must not read as environments
 * (`values-canary.yaml` names a release, not an environment).
 */
export function helmfileCellPlans(store: FileStore): {
  cells: { app: string; env: string; plan: CellPlan }[];
  extras: Map<string, HelmfileCellExtras>;
  guessed: string[];
  claimedFiles: Set<string>;
  warnings: ScanWarning[];
} {
  const cells: { app: string; env: string; plan: CellPlan }[] = [];
  const extras = new Map<string, HelmfileCellExtras>();
  const guessed: string[] = [];
  const claimedFiles = new Set<string>();
  const warnings: ScanWarning[] = [];
  const chartLines = new Map<string, ReturnType<typeof chartImageLines>>();
  const read = [...store.files.keys()]
    .filter((f) => isHelmfilePath(f) && /\b(releases|environments)\s*:/.test(store.text(f) ?? ""))
    .sort()
    .map((f) => readHelmfile(store, f));
  const bases = new Set(read.flatMap((hf) => hf.bases));
  for (const hf of read) {
    const file = hf.file;
    if (bases.has(file)) continue;
    warnings.push(...hf.warnings);
    const charts = new Set(hf.environments.flatMap((e) => e.releases.map((r) => r.chart)));
    const dirName = path.posix.basename(hf.dir);
    const byDir = charts.size === 1 && /^helmfile\.ya?ml/.test(path.posix.basename(file)) && dirName && dirName !== "helmfile.d";
    const appOf = (r: HelmfileRelease) => (byDir ? dirName : r.chart.split("/").pop() || r.name);
    const groups = new Map<string, { env: HelmfileEnvironment; releases: HelmfileRelease[] }[]>();
    for (const env of hf.environments)
      for (const r of env.releases) {
        const list = groups.get(appOf(r)) ?? [];
        groups.set(appOf(r), list);
        if (list.at(-1)?.env !== env) list.push({ env, releases: [] });
        list.at(-1)?.releases.push(r);
        for (const f of r.valueFiles) claimedFiles.add(f);
      }
    for (const [app, list] of groups) {
      for (const { env, releases } of list) {
        // Own files: used by this environment's releases and by no other environment's.
        const elsewhere = new Set(list.filter((x) => x.env !== env).flatMap((x) => x.releases.flatMap((r) => r.valueFiles)));
        const withOwn = releases.map((r) => ({
          ...r,
          ownValueFiles: [...new Set(r.valueFiles.filter((f) => !elsewhere.has(f)))],
        }));
        // The primary release reads the fewest files (the others add release-specific ones); ties: file order.
        const ordered = [...withOwn].sort((a, b) => a.valueFiles.length - b.valueFiles.length);
        const primary = ordered[0];
        if (!primary) continue;
        const own = [...new Set(withOwn.flatMap((r) => r.ownValueFiles))];
        const chartDir = primary.chartDir;
        const chartValues = chartDir && store.isFile(`${chartDir}/values.yaml`) ? [`${chartDir}/values.yaml`] : [];
        const lines = chartDir === undefined ? undefined : (chartLines.get(chartDir) ?? chartImageLines(store, chartDir));
        if (chartDir !== undefined && lines) chartLines.set(chartDir, lines);
        const named = own.find((f) =>
          path.posix
            .basename(f)
            .replace(/\.ya?ml$/, "")
            .endsWith(env.name),
        );
        const plan: CellPlan = {
          env: env.name,
          format: "helm",
          path: named ?? primary.ownValueFiles[0] ?? primary.valueFiles.at(-1) ?? file,
          extraPaths: [],
          ownDirs: [],
          helm: {
            chartDir,
            valueFiles: [...chartValues, ...primary.valueFiles],
            ownValueFiles: own,
            keys: lines ? helmKeysFromCompositions(lines.compositions) : undefined,
          },
        };
        if (extras.has(`${app}\u0000${env.name}`)) {
          const message = `app '${app}' in environment '${env.name}' is also declared by another helmfile; the first one is kept`;
          warnings.push({ file, line: env.pos.line, message, code: "helmfile-duplicate" });
          continue;
        }
        extras.set(`${app}\u0000${env.name}`, {
          helmfile: file,
          releases: ordered,
          compositions: lines?.compositions ?? [],
          notComposable: lines?.notComposable ?? [],
          outside: releases.flatMap((r) => r.outside),
          missing: releases.flatMap((r) => r.missing),
          unreadable: releases.flatMap((r) => r.unreadable),
        });
        cells.push({ app, env: env.name, plan });
      }
      const envs = list.map((x) => `${x.env.name} (${x.releases.map((r) => r.name).join(", ")})`).join(", ");
      const used = [...new Set(list.flatMap((x) => x.releases.map((r) => r.chart)))].join(", ");
      guessed.push(`${file}: helmfile, app '${app}' (chart ${used}), environments (releases): ${envs}`);
    }
  }
  return { cells, extras, guessed, claimedFiles, warnings };
}
