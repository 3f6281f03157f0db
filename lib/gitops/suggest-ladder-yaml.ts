/**
 * The ladder.yaml Ladder would write for a repository it has only detected: its environments in
 * ladder order (with their targets) and its apps (paths as `{env}`/`{target}`/`{app}` patterns
 * where the tree allows), so that, committed, the scan reads the same rows, columns and cells from
 * the file instead of guessing. Each candidate is checked against the tree with the same planner a
 * committed ladder.yaml goes through (plan-from-config.ts) before it is offered; whatever
 * ladder.yaml cannot say is listed in the result and in the file's header, never dropped silently.
 *
 * Pure: it reads only the scan and the parsed state the scan left on it (scanContext).
 */
import { isSafeName } from "../security/names";
import { isYamlPath } from "./file-store";
import { type LadderConfig, parseLadderConfig } from "./ladder-config";
import type { AppPlan, CellPlan } from "./layout-plan";
import { planFromConfig } from "./plan-from-config";
import { type ScanContext, scanContext } from "./scan";
import { type Entry, type HelmEntry, render, type SuggestionNote } from "./suggest-ladder-yaml-render";
import type { ScanResult } from "./types";

export interface LadderYamlSuggestion {
  /** The file, ready to commit at the repository root; null when nothing detected can be written as one. */
  text: string | null;
  /** The commit the layout was read at. */
  commit: string;
  /** What the file cannot say exactly, per app: committed, those rows differ from what was detected. */
  approximations: SuggestionNote[];
  /** Apps (or the whole file) left out, and why. */
  omitted: SuggestionNote[];
}

const ENV = "{env}";
const TARGET = "{target}";
const APP = "{app}";

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `word` replaced by `token` wherever it stands on its own (`values-dev.yaml`, `/dev/`, not `devops`). */
function replaceWord(p: string, word: string, token: string): string {
  return p.replace(new RegExp(`(?<![A-Za-z0-9{])${escapeRe(word)}(?![A-Za-z0-9}])`, "g"), token);
}

function replaceSegment(p: string, word: string, token: string): string {
  return p
    .split("/")
    .map((s) => (s === word ? token : s))
    .join("/");
}

const substituteEnv = (pattern: string, env: string) => pattern.replaceAll(ENV, env);

/**
 * The pattern that says the most of `values` (env → path) with `{env}`: the literal path first on
 * a tie, so an app in one environment keeps its exact path.
 */
function generalise(values: ReadonlyMap<string, string>): { pattern: string; matched: string[] } | undefined {
  const candidates: string[] = [];
  for (const [env, value] of values)
    for (const c of [value, replaceWord(value, env, ENV), replaceSegment(value, env, ENV)])
      if (!candidates.includes(c)) candidates.push(c);
  let best: { pattern: string; matched: string[] } | undefined;
  for (const pattern of candidates) {
    const matched = [...values].filter(([env, value]) => substituteEnv(pattern, env) === value).map(([env]) => env);
    if (!best || matched.length > best.matched.length) best = { pattern, matched };
  }
  return best;
}

/** Notes grouped per app and kind, so one problem in five environments is one line naming the five. */
class Notes {
  private readonly groups = new Map<string, { app?: string; envs: string[]; say: (envs: string) => string }>();

  add(app: string | undefined, kind: string, env: string | undefined, say: (envs: string) => string): void {
    const key = `${app ?? ""}\0${kind}`;
    const group = this.groups.get(key) ?? { app, envs: [], say };
    if (env !== undefined && !group.envs.includes(env)) group.envs.push(env);
    this.groups.set(key, group);
  }

  list(): SuggestionNote[] {
    return [...this.groups.values()].map((g) => ({
      ...(g.app !== undefined ? { app: g.app } : {}),
      message: g.say(g.envs.join(", ")),
    }));
  }
}

/** What a planned cell decides about the matrix, as one comparable string. */
function shape(c: CellPlan): Record<string, string> {
  const one = (p: CellPlan) => ({
    path: p.path,
    "own files": JSON.stringify([...p.ownDirs].sort()),
    chart: p.helm?.chartDir ?? "",
    // The same file applied twice in a row merges to what it gives once (a chart's values.yaml as
    // the `default` environment's own file): the images cannot differ.
    "values files": JSON.stringify((p.helm?.valueFiles ?? []).filter((f, i, all) => f !== all[i - 1])),
    "own values files": JSON.stringify(p.helm?.ownValueFiles ?? []),
    "image keys": JSON.stringify(p.helm?.keys ?? null),
  });
  const targets = [...(c.targets ?? [])].sort((a, b) => (a.target ?? "").localeCompare(b.target ?? ""));
  return {
    ...one(c),
    targets: JSON.stringify(targets.map((t) => t.target)),
    "target paths": JSON.stringify(targets.map((t) => one(t))),
  };
}

/** The aspects (path, values files, targets…) in which two plans of one cell differ. */
function differences(a: CellPlan, b: CellPlan): string[] {
  const x = shape(a);
  const y = shape(b);
  return Object.keys(x).filter((k) => x[k] !== y[k]);
}

/** Whether the environment itself owns a path (its shared base), as opposed to only its targets. */
function ownsPath(c: CellPlan): boolean {
  return c.format === "helm" ? (c.helm?.ownValueFiles.length ?? 0) > 0 : c.ownDirs.length > 0;
}

interface Built {
  entry: Entry;
  /** env → its targets, in the order detection found them. */
  targets: Map<string, string[]>;
}

/** The values files a config entry adds between the chart's values.yaml and the cell's own file. */
function helmExtras(cell: CellPlan, store: ScanContext["store"], envFile: string | undefined): string[] | undefined {
  const helm = cell.helm;
  if (!helm) return undefined;
  let files = [...helm.valueFiles];
  const chartValues = helm.chartDir ? `${helm.chartDir}/values.yaml` : undefined;
  if (chartValues && files[0] === chartValues && store.isFile(chartValues)) files = files.slice(1);
  if (files.at(-1) === cell.path) files = files.slice(0, -1);
  if (envFile && files.at(-1) === envFile) files = files.slice(0, -1);
  return files;
}

function entryFor(app: AppPlan, store: ScanContext["store"], notes: Notes): Built | undefined {
  const note = (kind: string, env: string | undefined, say: (envs: string) => string) => notes.add(app.name, kind, env, say);
  const specs = new Map<string, string>();
  const envOwn = new Map<string, string>();
  const targets = new Map<string, string[]>();
  const representative = new Map<string, { cell: CellPlan; envFile?: string }>();
  for (const [env, cell] of app.cells) {
    if (cell.format !== app.format) {
      note(
        `format-${cell.format}`,
        env,
        (envs) => `${envs}: read as ${cell.format}, while one ladder.yaml entry has one format (${app.format}); left out`,
      );
      continue;
    }
    if (cell.select) {
      const by = cell.select.workloads ? "workloads" : "bases";
      note(
        "select",
        env,
        (envs) =>
          `ladder.yaml cannot pick this app's ${by} out of what its path deploys (${envs}): the row will show every image there`,
      );
    }
    if (cell.extraPaths.length > 0)
      note(
        "extra",
        env,
        (envs) => `${envs}: detection also folds in variants (such as ${cell.extraPaths[0]}); ladder.yaml reads one path`,
      );
    if (cell.helm?.compositions?.length || cell.helm?.tagKeys?.length)
      note(
        "composed",
        env,
        (envs) => `${envs}: the image is put together from several values keys, which ladder.yaml cannot describe`,
      );
    if (cell.helm?.layers?.some((l) => l.outside))
      note("outside", env, (envs) => `${envs}: values layers outside the repository are not read from a ladder.yaml`);
    if (cell.format === "manifests") {
      const listed = cell.manifests?.files;
      const under = store.filesUnder(cell.path).filter(isYamlPath);
      if (listed && (listed.length !== under.length || listed.some((f) => !under.includes(f))))
        note(
          "manifests",
          env,
          (envs) => `${envs}: only some files of the directory belong to this app; ladder.yaml reads them all`,
        );
    }
    const leaves = cell.targets ?? [];
    if (leaves.length > 0) {
      const patterns = new Set(leaves.map((l) => replaceWord(l.path, l.target ?? "", TARGET)));
      const [pattern] = patterns;
      if (patterns.size === 1 && pattern?.includes(TARGET) && leaves.every((l) => l.target && isSafeName(l.target))) {
        specs.set(env, pattern);
        targets.set(
          env,
          leaves.map((l) => l.target as string),
        );
        if (ownsPath(cell)) envOwn.set(env, cell.path);
        const first = leaves[0] as CellPlan;
        representative.set(env, { cell: first, envFile: ownsPath(cell) ? cell.path : undefined });
        continue;
      }
      note(
        "targets",
        env,
        (envs) => `${envs}: the targets' paths do not share one {target} pattern, so each is read as one path`,
      );
    }
    specs.set(env, cell.path);
    representative.set(env, { cell });
  }
  if (specs.size === 0) return undefined;
  const entry: Entry = { name: app.name, apps: [app.name], format: app.format };
  const best = generalise(specs);
  if (best && (best.matched.length > 1 || specs.size === 1)) {
    entry.path = best.pattern;
    const rest = [...specs].filter(([env]) => !best.matched.includes(env));
    if (rest.length > 0) entry.paths = Object.fromEntries(rest);
  } else entry.paths = Object.fromEntries(specs);

  if (envOwn.size > 0) {
    const own = generalise(envOwn);
    if (own) {
      entry.envPath = own.pattern;
      const missed = [...envOwn.keys()].filter((e) => !own.matched.includes(e));
      if (missed.length > 0)
        note("envPath", undefined, () => `the own paths of ${missed.join(", ")} do not follow ${own.pattern}`);
    }
  }

  if (app.format === "helm") {
    const helm: HelmEntry = {};
    const charts = new Map<string, string>();
    const extras = new Map<string, string[]>();
    for (const [env, { cell, envFile }] of representative) {
      if (cell.helm?.chartDir) charts.set(env, cell.helm.chartDir);
      extras.set(env, helmExtras(cell, store, envFile) ?? []);
      if (!helm.images && cell.helm?.keys?.length) helm.images = cell.helm.keys.map((k) => ({ ...k }));
    }
    if (charts.size > 0) {
      const chart = generalise(charts);
      if (chart) {
        helm.chart = chart.pattern;
        if (chart.matched.length < charts.size || charts.size < representative.size)
          note("chart", undefined, () => `its environments use different charts; ladder.yaml names one (${chart.pattern})`);
      }
    }
    const lengths = new Set([...extras.values()].map((x) => x.length));
    const width = Math.max(0, ...lengths);
    if (width > 0) {
      const files: string[] = [];
      for (let i = 0; i < width; i++) {
        const column = new Map([...extras].flatMap(([env, x]) => (x[i] === undefined ? [] : [[env, x[i] as string] as const])));
        const g = generalise(column);
        if (g) files.push(g.pattern);
        if (!g || g.matched.length < extras.size) {
          note("values", undefined, () => "its environments layer different values files; ladder.yaml lists one set for all");
          break;
        }
      }
      helm.valueFiles = files;
    }
    if (helm.chart || helm.valueFiles || helm.images) entry.helm = helm;
  }
  return { entry, targets };
}

function mapStrings(entry: Entry, f: (s: string) => string): Entry {
  const out: Entry = { ...entry };
  if (entry.path !== undefined) out.path = f(entry.path);
  if (entry.paths) out.paths = Object.fromEntries(Object.entries(entry.paths).map(([k, v]) => [k, f(v)]));
  if (entry.envPath !== undefined) out.envPath = f(entry.envPath);
  if (entry.helm)
    out.helm = {
      ...entry.helm,
      ...(entry.helm.chart !== undefined ? { chart: f(entry.helm.chart) } : {}),
      ...(entry.helm.valueFiles ? { valueFiles: entry.helm.valueFiles.map(f) } : {}),
    };
  return out;
}

// --- checking against the tree -------------------------------------------------------------

interface Check {
  /** Apps the file would add that detection did not find. */
  extraApps: string[];
  /** Per detected app: environments the file would add. */
  extraCells: Map<string, string[]>;
  /** Per detected app and environment: the aspects that differ ("missing" when the file finds no cell). */
  differences: Map<string, Map<string, string[]>>;
  /** Apps more than one entry finds. */
  duplicates: string[];
}

function check(ctx: ScanContext, config: LadderConfig, detected: readonly AppPlan[]): Check {
  const planned = planFromConfig(ctx.store, config, "ladder.yaml");
  const byName = new Map(planned.apps.map((a) => [a.name, a]));
  const known = new Set(detected.map((a) => a.name));
  const names = planned.apps.map((a) => a.name);
  const result: Check = {
    extraApps: names.filter((n) => !known.has(n)),
    extraCells: new Map(),
    differences: new Map(),
    duplicates: [...new Set(names.filter((n, i) => names.indexOf(n) !== i))],
  };
  for (const app of detected) {
    const got = byName.get(app.name);
    const diffs = new Map<string, string[]>();
    for (const [env, cell] of app.cells) {
      // Cells of another format than their app's were left out, and noted, when the entry was built.
      if (cell.format !== app.format) continue;
      const mine = got?.cells.get(env);
      const aspects = mine ? differences(mine, cell) : ["missing"];
      if (aspects.length > 0) diffs.set(env, aspects);
    }
    const extra = [...(got?.cells.keys() ?? [])].filter((env) => !app.cells.has(env));
    if (diffs.size > 0) result.differences.set(app.name, diffs);
    if (extra.length > 0) result.extraCells.set(app.name, extra);
  }
  return result;
}

function parse(text: string): LadderConfig {
  const parsed = parseLadderConfig(text);
  if (!parsed.ok) {
    // A bug in this module, not in the repository: the file it writes must always validate.
    throw new Error(`suggested ladder.yaml does not validate: ${parsed.errors.map((e) => `${e.line}: ${e.message}`).join("; ")}`);
  }
  return parsed.config;
}

/**
 * The ladder.yaml for the layout `scan` read. Throws when the scan carries no parsed state (a scan
 * result rebuilt from JSON): scan the snapshot again first.
 */
export function suggestLadderYaml(scan: ScanResult): LadderYamlSuggestion {
  const ctx = scanContext(scan);
  if (!ctx) throw new Error("suggestLadderYaml needs the scan's own result (scanRepository), not a copy");
  const omitted: SuggestionNote[] = [];
  const notes = new Notes();
  const envs = ctx.plan.environments;
  const badEnv = envs.find((e) => !isSafeName(e));
  if (badEnv !== undefined)
    return {
      text: null,
      commit: scan.commit,
      approximations: [],
      omitted: [{ message: `environment '${badEnv}' is not a name ladder.yaml accepts (letters, digits, '.', '_', '-')` }],
    };

  const planned = new Set(ctx.plan.apps.map((a) => a.name));
  const shown = new Set(scan.apps.map((a) => a.name));
  for (const a of scan.apps)
    if (!planned.has(a.name))
      omitted.push({
        app: a.name,
        message: "generated by a chart that renders Argo CD Applications; ladder.yaml cannot describe it",
      });
  const detected: AppPlan[] = [];
  for (const a of ctx.plan.apps) {
    if (!shown.has(a.name)) {
      omitted.push({
        app: a.name,
        message: "a chart that generates other apps; left out so it does not become a row of its own",
      });
      continue;
    }
    if (!isSafeName(a.name)) {
      omitted.push({ app: a.name, message: "not a name ladder.yaml accepts (letters, digits, '.', '_', '-')" });
      continue;
    }
    detected.push(a);
  }

  const targets = new Map<string, string[]>();
  let entries: Entry[] = [];
  for (const app of detected) {
    const built = entryFor(app, ctx.store, notes);
    if (!built) continue;
    entries.push(built.entry);
    for (const [env, list] of built.targets) {
      const all = targets.get(env) ?? [];
      for (const t of list) if (!all.includes(t)) all.push(t);
      targets.set(env, all);
    }
  }
  if (entries.length === 0)
    return {
      text: null,
      commit: scan.commit,
      approximations: notes.list(),
      omitted: [...omitted, { message: "Ladder detected no app it can describe in ladder.yaml" }],
    };

  const configOf = (list: readonly Entry[]) => parse(render(scan, envs, targets, list, [], []));
  const clean = (c: Check, apps: readonly string[]) =>
    c.extraApps.length === 0 && apps.every((a) => !c.differences.has(a) && !c.extraCells.has(a) && !c.duplicates.includes(a));

  // An app whose path pattern also matches an environment detection left out is held to its own.
  const first = check(ctx, configOf(entries), detected);
  entries = entries.map((e) => {
    const extra = e.name !== undefined ? first.extraCells.get(e.name) : undefined;
    if (!extra) return e;
    const app = detected.find((a) => a.name === e.name);
    return { ...e, environments: envs.filter((env) => app?.cells.has(env)) };
  });

  // Apps laid out alike become one `{app}` pattern, kept only where it finds exactly those apps.
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.name === undefined || e.environments || e.path === undefined) continue;
    const name = e.name;
    const templated = mapStrings({ ...e, name: undefined, apps: [] }, (s) => replaceWord(s, name, APP));
    if (!templated.path?.includes(APP)) continue;
    const key = JSON.stringify(templated);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    const apps = members.flatMap((m) => m.apps);
    const merged: Entry = { ...(JSON.parse(key) as Entry), apps };
    const at = entries.indexOf(members[0] as Entry);
    const candidate = entries.filter((e) => !members.includes(e));
    candidate.splice(at, 0, merged);
    if (clean(check(ctx, configOf(candidate), detected), apps)) entries = candidate;
  }

  const final = check(ctx, configOf(entries), detected);
  for (const name of final.extraApps)
    notes.add(name, "extra-app", undefined, () => "the file's patterns also find this app, which detection did not show");
  for (const name of final.duplicates) notes.add(name, "duplicate", undefined, () => "more than one entry of the file finds it");
  for (const [app, byEnv] of final.differences)
    for (const [env, aspects] of byEnv) {
      if (aspects.includes("missing")) notes.add(app, "missing", env, (envs) => `${envs}: not found from this file`);
      else
        notes.add(
          app,
          `differs:${aspects.join(",")}`,
          env,
          (envs) => `${envs}: differs from detection in its ${aspects.join(", ")}`,
        );
    }
  for (const [app, extra] of final.extraCells)
    notes.add(app, "extra-cells", undefined, () => `the file also finds ${extra.join(", ")}, which detection did not show`);

  const approximations = notes.list();
  const text = render(scan, envs, targets, entries, approximations, omitted);
  parse(text);
  return { text, commit: scan.commit, approximations, omitted };
}
