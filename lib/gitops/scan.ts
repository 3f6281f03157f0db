/**
 * The entry point: one snapshot into the app × environment matrix. Reads ladder.yaml
 * (plan-from-config.ts) or detects the layout (detect-layout.ts), resolves every cell
 * (resolve-cell.ts), expands charts that generate Argo CD Applications, and leaves its parsed
 * state on the result for diff and edit (scanContext).
 */
import type { RepoFile, RepoSnapshot } from "../snapshot/types";
import { detectLayout } from "./detect-layout";
import { orderEnvironments } from "./env-names";
import { FileStore, isYamlPath, type ReadSet } from "./file-store";
import { expandGenerators, findGeneratorCharts, type HelmRunOptions } from "./helm-generators";
import { findHelm } from "./helm-render";
import { helmfileInputs } from "./helmfile";
import { kustomizations } from "./kustomization-index";
import { dedupeWarnings } from "./kustomize-build";
import type { BuildResult } from "./kustomize-resource";
import { type LadderConfig, parseLadderConfig } from "./ladder-config";
import type { CellPlan, LayoutPlan } from "./layout-plan";
import { tiltfilePaths } from "./placeholder-evidence";
import { planFromConfig } from "./plan-from-config";
import { renderCells, staticReadingIsPartial } from "./rendered";
import { renderHelmCells } from "./rendered-helm";
import { resolveCell } from "./resolve-cell";
import { getBuild } from "./resolve-kustomize";
import type { AppResult, Cell, LadderYamlStatus, ScanResult, ScanWarning } from "./types";

export interface ScanOptions {
  /**
   * Render overlays with kustomize/kubectl and compare (slower). By default only the Kustomize
   * cells whose static reading is partial (replacements, Helm inflation, plugins) are rendered,
   * when a binary is there, and show the rendered images; `false` renders none, `true` all.
   */
  render?: boolean | { binary?: string; timeoutMs?: number; concurrency?: number };
  /** Skip ladder.yaml even when present (tests, comparisons). */
  ignoreLadderYaml?: boolean;
  /**
   * When the snapshot's ladder.yaml is invalid: the text of the newest earlier one that
   * validated, and its commit. Its layout is used to show what runs; its policy never is.
   */
  lastValidLadderYaml?: { text: string; commit: string };
  /**
   * A `helm` to render with (default: LADDER_HELM or `helm` on the PATH, when one runs; `false`:
   * none). Charts that generate Argo CD Applications (an app-of-apps written in Helm) can only be
   * read rendered; without helm their cells say so.
   */
  helm?: HelmRunOptions | false;
}

/** Internal handle a scan keeps so diff and edit can reuse its parsed state. */
export interface ScanContext {
  store: FileStore;
  plan: LayoutPlan;
  /** The valid ladder.yaml of this snapshot: the only source of policy. */
  config?: LadderConfig;
  /** An earlier valid ladder.yaml standing in for an invalid one: layout and viewers only. */
  fallbackConfig?: LadderConfig;
  builds: Map<string, BuildResult>;
  /** What each build read (getBuild): a refresh keeps the builds none of whose reads changed. */
  buildReads?: Map<string, ReadSet>;
  /** What each cell's resolution read, by cellId: the index a refresh re-resolves from. */
  cellReads?: Map<string, ReadSet>;
  /** Warnings of the layout itself (ladder.yaml, the plan): kept with a reused plan. */
  planWarnings?: ScanWarning[];
  /** Charts here generate Argo CD Applications (their apps come from helm, not from the plan). */
  generators?: boolean;
  /** The options the scan ran with, as a key: a refresh with others scans afresh. */
  optionsKey?: string;
  /** Cells this scan resolved; the others were reused from the scan it refreshed. */
  resolved?: number;
}

/** The key of one cell in the read index. */
export function cellId(app: string, env: string): string {
  return `${app}\u0000${env}`;
}

export function optionsKey(options: ScanOptions): string {
  const { render, ignoreLadderYaml, lastValidLadderYaml, helm } = options;
  return JSON.stringify([render ?? null, ignoreLadderYaml ?? false, lastValidLadderYaml ?? null, helm ?? null]);
}

/** Given by refresh-scan.ts: the previous scan's state to reuse, and which of its reads no longer hold. */
export interface ScanReuse {
  previous: ScanContext;
  previousApps: readonly AppResult[];
  previousStats?: ScanResult["stats"];
  /** A store for the new snapshot that already holds every text it needs. */
  store: FileStore;
  /** Keep the previous plan (nothing it depends on changed); otherwise plan again and compare cell plans. */
  keepPlan: boolean;
  /** Read keys (ReadSet) the new commit invalidates. */
  invalid: ReadonlySet<string>;
}

/**
 * The context travels on the result itself, under a registry symbol, not in a
 * module-level WeakMap: a server bundle can hold several copies of this module
 * (one per layer or route), and a scan made by one copy must still be usable
 * by another without scanning the repository again. Non-enumerable, so JSON
 * output is unchanged.
 */
const CONTEXT = Symbol.for("ladder.gitops.scanContext");

export function scanContext(scan: ScanResult): ScanContext | undefined {
  return (scan as ScanResult & { [CONTEXT]?: ScanContext })[CONTEXT];
}

async function defaultHelm(): Promise<HelmRunOptions | undefined> {
  const binary = await findHelm();
  return binary ? { binary } : undefined;
}

/**
 * Replaces the static reading of charts that generate Argo CD Applications with what they render
 * to: one app per generated Application. Without helm, the generator's own cells carry the reason.
 */
async function generatedApps(
  store: FileStore,
  apps: AppResult[],
  environments: string[],
  helm: HelmRunOptions | undefined,
): Promise<{ apps: AppResult[]; environments: string[]; warnings: ScanWarning[]; guessed: string[] }> {
  const generators = findGeneratorCharts(store);
  if (generators.length === 0) return { apps, environments, warnings: [], guessed: [] };
  const inGenerator = (c: Cell) => generators.some((g) => c.path.startsWith(g.chartDir ? `${g.chartDir}/` : ""));
  if (!helm) {
    const warnings: ScanWarning[] = [];
    for (const a of apps)
      for (const c of Object.values(a.environments)) {
        if (!inGenerator(c)) continue;
        const reason = `this chart generates Argo CD Applications: what they deploy is known only rendered, and no helm binary is available (set LADDER_HELM or put helm on the PATH)`;
        c.unresolved.push({ reference: `generator:${a.name}`, reason });
        const w = { file: c.path, line: 1, message: reason, code: "helm-generator-not-rendered" };
        c.warnings.push(w);
        warnings.push(w);
      }
    return { apps, environments, warnings, guessed: [] };
  }
  const generated = await expandGenerators(store, generators, helm);
  const kept = apps.filter((a) => !Object.values(a.environments).some(inGenerator));
  const genEnvs = generators.flatMap((g) => [...g.envs.keys()]);
  const order = orderEnvironments([...environments.filter((e) => kept.some((a) => a.environments[e])), ...genEnvs]);
  const added: AppResult[] = [...generated.apps].map(([name, byEnv]) => ({
    name,
    format: "helm",
    environments: Object.fromEntries(order.filter((e) => byEnv.has(e)).map((e) => [e, byEnv.get(e) as Cell])),
  }));
  for (const a of added) for (const c of Object.values(a.environments)) generated.warnings.push(...c.warnings);
  return { apps: [...kept, ...added], environments: order, warnings: generated.warnings, guessed: generated.guessed };
}

/**
 * Scans one snapshot into the app × environment matrix of image references. Never throws on bad
 * input: every problem is a warning with file and line, attached to the cell it affects.
 */
export async function scanRepository(snapshot: RepoSnapshot, options: ScanOptions = {}): Promise<ScanResult> {
  return runScan(snapshot, options);
}

function fileWarnings(snapshot: RepoSnapshot, files: readonly RepoFile[]): ScanWarning[] {
  const warnings: ScanWarning[] = [];
  const skipped = (snapshot as { skipped?: readonly { path: string; reason: string }[] }).skipped ?? [];
  for (const s of skipped) warnings.push({ file: s.path, line: 1, message: `not read: ${s.reason}`, code: "path-escape" });
  for (const f of files) {
    if (f.size > 1024 * 1024 && isYamlPath(f.path))
      warnings.push({
        file: f.path,
        line: 1,
        message: `file is ${f.size} bytes, over the 1 MiB limit; not read`,
        code: "file-too-large",
      });
  }
  return warnings;
}

/** ladder.yaml's plan, or the detected layout; its warnings (the config's, the plan's) go to `warnings`. */
async function planLayout(
  ctx: ScanContext,
  snapshot: RepoSnapshot,
  options: ScanOptions,
  warnings: ScanWarning[],
): Promise<LayoutPlan> {
  const { store } = ctx;
  const configFile = ["ladder.yaml", "ladder.yml"].find((p) => store.isFile(p));
  let plan: LayoutPlan | undefined;
  let ladderYaml: LadderYamlStatus = { state: "missing" };
  if (configFile && !options.ignoreLadderYaml) {
    const parsed = parseLadderConfig(store.text(configFile) ?? "", configFile);
    if (parsed.ok) {
      ctx.config = parsed.config;
      ladderYaml = { state: "valid", file: configFile };
      warnings.push(...parsed.warnings);
      plan = planFromConfig(store, parsed.config, configFile);
    } else {
      const earlier = options.lastValidLadderYaml;
      const fallback = earlier ? parseLadderConfig(earlier.text, configFile) : undefined;
      const layoutFrom = fallback?.ok && earlier ? earlier.commit : null;
      ladderYaml = { state: "invalid", file: configFile, commit: snapshot.commit, errors: parsed.errors, layoutFrom };
      warnings.push(...parsed.errors);
      warnings.push({
        file: configFile,
        line: parsed.errors[0]?.line ?? 1,
        message: `ladder.yaml is invalid: every promotion, rollback, lock and unlock is refused until it is fixed; ${
          layoutFrom
            ? `showing the layout of the last valid ladder.yaml (${layoutFrom.slice(0, 7)})`
            : "showing the detected layout"
        }`,
        code: "ladder-config-invalid",
      });
      if (fallback?.ok) {
        ctx.fallbackConfig = fallback.config;
        plan = planFromConfig(store, fallback.config, configFile);
      }
    }
  }
  if (!plan) {
    // helmfile.yaml.gotmpl and chart .tpl helpers are not YAML, so the prefetch skipped them.
    await store.ensure(helmfileInputs(store));
    plan = detectLayout({ store, build: (dir) => getBuild(ctx, dir) });
  }
  plan = { ...plan, report: { ...plan.report, ladderYaml } };
  warnings.push(...(plan.warnings ?? []));
  return plan;
}

/** A cell the render step will read again: its static reading is partial, or it was rendered. */
function rendersAgain(cell: Cell): boolean {
  return (
    cell.rendered !== undefined ||
    staticReadingIsPartial(cell) ||
    Object.values(cell.targets ?? {}).some((t) => t.rendered !== undefined || staticReadingIsPartial(t))
  );
}

function samePlan(a: CellPlan | undefined, b: CellPlan): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The scan itself. With `reuse` (a refresh, refresh-scan.ts), the store comes ready, the builds
 * and cells whose reads all still hold are the previous scan's, and the plan is kept or made again.
 */
export async function runScan(snapshot: RepoSnapshot, options: ScanOptions = {}, reuse?: ScanReuse): Promise<ScanResult> {
  const started = performance.now();
  const files = snapshot.files();
  let store: FileStore;
  if (reuse) store = reuse.store;
  else {
    store = new FileStore(snapshot, files);
    await store.prefetch();
    // Kustomize reads whatever file a kustomization names (`patch.json`, an extensionless resource),
    // and Tiltfiles say which image names are build placeholders: fetch what the YAML prefetch left.
    await store.ensure([...kustomizations(store).flatMap((k) => k.inputs), ...tiltfilePaths(store)]);
  }
  const warnings = fileWarnings(snapshot, files);

  const ctx: ScanContext = {
    store,
    plan: {
      environments: [],
      apps: [],
      report: { source: "detected", ladderYaml: { state: "missing" }, guessed: [], ignored: [] },
    },
    builds: new Map(),
    buildReads: new Map(),
    cellReads: new Map(),
    optionsKey: optionsKey(options),
    resolved: 0,
  };
  const invalid = reuse?.invalid;
  const stillHolds = (reads: ReadSet | undefined): reads is ReadSet => {
    if (!reads || !invalid) return false;
    for (const k of reads.keys()) if (invalid.has(k)) return false;
    return true;
  };
  if (reuse) {
    for (const [dir, b] of reuse.previous.builds) {
      const reads = reuse.previous.buildReads?.get(dir);
      if (!stillHolds(reads)) continue;
      ctx.builds.set(dir, b);
      ctx.buildReads?.set(dir, reads);
    }
  }

  let plan: LayoutPlan;
  if (reuse?.keepPlan) {
    plan = reuse.previous.plan;
    const status = plan.report.ladderYaml;
    // An invalid ladder.yaml's status names the commit it was read at: this one, now.
    if (status.state === "invalid")
      plan = { ...plan, report: { ...plan.report, ladderYaml: { ...status, commit: snapshot.commit } } };
    ctx.config = reuse.previous.config;
    ctx.fallbackConfig = reuse.previous.fallbackConfig;
    ctx.planWarnings = reuse.previous.planWarnings ?? [];
  } else {
    const planWarnings: ScanWarning[] = [];
    plan = await planLayout(ctx, snapshot, options, planWarnings);
    ctx.planWarnings = planWarnings;
  }
  ctx.plan = plan;
  warnings.push(...ctx.planWarnings);

  const previousPlans = new Map(reuse?.previous.plan.apps.map((a) => [a.name, a.cells]));
  const previousCells = new Map(reuse?.previousApps.map((a) => [a.name, a.environments]));
  const reusable = (app: string, env: string, cp: CellPlan): Cell | undefined => {
    if (!reuse) return undefined;
    const id = cellId(app, env);
    const cell = previousCells.get(app)?.[env];
    if (!cell || !stillHolds(reuse.previous.cellReads?.get(id))) return undefined;
    if (!reuse.keepPlan && !samePlan(previousPlans.get(app)?.get(env), cp)) return undefined;
    if (options.render === undefined && rendersAgain(cell)) return undefined;
    return cell;
  };
  const fresh = new Set<Cell>();
  const previousApps = new Map(reuse?.previousApps.map((a) => [a.name, a]));
  let apps: AppResult[] = plan.apps.map((a) => {
    const before = previousApps.get(a.name);
    const environments: Record<string, Cell> = {};
    let same = before !== undefined && before.format === a.format;
    for (const env of plan.environments) {
      const cp = a.cells.get(env);
      if (!cp) continue;
      const id = cellId(a.name, env);
      const kept = reusable(a.name, env, cp);
      if (kept) {
        environments[env] = kept;
        ctx.cellReads?.set(id, reuse?.previous.cellReads?.get(id) as ReadSet);
        if (before?.environments[env] !== kept) same = false;
        continue;
      }
      const [cell, reads] = store.recording(() => resolveCell(ctx, cp));
      environments[env] = cell;
      ctx.cellReads?.set(id, reads);
      fresh.add(cell);
      same = false;
    }
    // Every cell kept, in the same environments: the previous row itself.
    if (same && before && Object.keys(before.environments).join("\0") === Object.keys(environments).join("\0")) return before;
    return { name: a.name, format: a.format, environments };
  });
  ctx.resolved = fresh.size;
  let environments = plan.environments;
  if (plan.report.source === "detected" && !(reuse && !reuse.previous.generators)) {
    const helm = options.helm === false ? undefined : (options.helm ?? (await defaultHelm()));
    const generated = await generatedApps(store, apps, environments, helm);
    ctx.generators = generated.apps !== apps || generated.warnings.length > 0;
    apps = generated.apps;
    environments = generated.environments;
    warnings.push(...generated.warnings);
    plan.report.guessed.push(...generated.guessed);
  }
  for (const a of apps) for (const c of Object.values(a.environments)) warnings.push(...c.warnings);

  if (options.render === undefined) {
    // A refresh renders only what it resolved: a kept cell keeps its rendering.
    const toRender = reuse
      ? apps.map((a) => ({
          ...a,
          environments: Object.fromEntries(Object.entries(a.environments).filter(([, c]) => fresh.has(c))),
        }))
      : apps;
    await renderCells(ctx, toRender, { only: staticReadingIsPartial });
  }
  if (options.render) {
    const opts = typeof options.render === "object" ? options.render : {};
    await renderCells(ctx, apps, opts);
    const helm = options.helm === false ? undefined : (options.helm ?? (await defaultHelm()));
    if (helm) await renderHelmCells(ctx, apps, { ...helm, timeoutMs: opts.timeoutMs, concurrency: opts.concurrency });
  }
  for (const a of apps) {
    for (const c of Object.values(a.environments)) {
      if (c.rendered?.status === "disagree")
        warnings.push({
          file: c.path,
          line: 1,
          message: `rendered output disagrees with static resolution (${a.name}): only rendered ${c.rendered.onlyRendered.join(", ") || "-"}; only static ${c.rendered.onlyStatic.join(", ") || "-"}`,
          code: "render-disagrees",
        });
    }
  }

  const result: ScanResult = {
    commit: snapshot.commit,
    environments,
    apps,
    warnings: dedupeWarnings(warnings),
    layout: plan.report,
    stats: {
      files: files.length,
      yamlFiles:
        reuse && reuse.store.dirs === reuse.previous.store.dirs && reuse.previousStats
          ? reuse.previousStats.yamlFiles
          : files.filter((f) => isYamlPath(f.path)).length,
      millis: Math.round(performance.now() - started),
    },
  };
  Object.defineProperty(result, CONTEXT, { value: ctx, enumerable: false });
  return result;
}
