/**
 * A scan of a new commit made from the scan of an earlier one. Every cell and every Kustomize
 * build recorded what it read (FileStore's ReadSet: paths with their blob SHAs, absent files,
 * directory listings); the new commit's changed paths invalidate those keys, and only cells with
 * an invalidated read are resolved again. The plan (which cells exist) is kept unless a file it
 * can depend on changed. The result equals a full scan of the new commit (refresh-scan.test.ts).
 *
 * The common commit (files changed in place, as a promotion does) costs what it changed: the
 * reader says which paths differ (RepoSnapshot.changesSince), the read index names the cells and
 * builds that read them (read-index.ts), only those are resolved, and every other row, map and
 * index entry is the previous scan's, shared (OverlayMap). A commit that adds or removes files
 * goes through runScan, which re-plans and checks each cell's reads.
 */
import type { RepoFile, RepoSnapshot, TreeDiff } from "../snapshot/types";
import { OverlayMap } from "../util/overlay-map";
import { baseOf, FileStore, invalidatedKeys, isYamlPath, KUSTOMIZATION_NAMES } from "./file-store";
import { isHelmfilePath } from "./helmfile";
import { kustomizationInfo } from "./kustomization-index";
import { inheritPlaceholderEvidence, isPlaceholderEvidencePath } from "./placeholder-evidence";
import { deriveIndex, readersOf, readIndex } from "./read-index";
import { renderCells, staticReadingIsPartial } from "./rendered";
import { resolveCell } from "./resolve-cell";
import { optionsKey, runScan, type ScanContext, type ScanOptions, scanContext, scanRepository } from "./scan";
import type { AppResult, Cell, ScanResult } from "./types";
import { MAX_FILE_BYTES } from "./yaml-source";

/** What changed between two commits' file lists. */
export interface TreeChange extends TreeDiff {
  /** The new commit's files by path, when made on the way (else the store builds it from `files()`). */
  byPath?: Map<string, RepoFile>;
}

/** Compares every path of the two lists: for a reader that cannot say what changed. */
export function treeChange(before: ReadonlyMap<string, { sha: string }>, after: RepoSnapshot): TreeChange {
  const changed: string[] = [];
  const added: string[] = [];
  let kept = 0;
  const byPath = new Map<string, RepoFile>();
  for (const f of after.files()) {
    byPath.set(f.path, f);
    const was = before.get(f.path);
    if (!was) added.push(f.path);
    else {
      kept++;
      if (was.sha !== f.sha) changed.push(f.path);
    }
  }
  // Every earlier path still there: nothing was removed (the common case, without a second walk).
  const removed = kept === before.size ? [] : [...before.keys()].filter((p) => !byPath.has(p));
  return { changed, added, removed, byPath };
}

/**
 * The change from the previous store's tree to `after`: from the reader when it knows (then, for
 * files changed in place, the path map is the previous one with those entries replaced, shared),
 * else by comparing the lists.
 */
async function changeSince(before: FileStore, after: RepoSnapshot): Promise<TreeChange> {
  const diff =
    after.file && before.snapshot.commit !== after.commit ? await after.changesSince?.(before.snapshot.commit) : undefined;
  if (!diff || !after.file) return treeChange(before.files, after);
  if (diff.added.length > 0 || diff.removed.length > 0) return { ...diff };
  const byPath = OverlayMap.of(before.files);
  for (const p of diff.changed) {
    const f = after.file(p);
    // The reader's answer must describe these two trees; anything else is compared afresh.
    if (!f || !before.files.has(p)) return treeChange(before.files, after);
    byPath.set(p, f);
  }
  return { ...diff, byPath };
}

/**
 * A path whose change can alter every cell or the way cells are made: the scan starts again.
 * ladder.yaml (plan and policy), build-placeholder evidence (read by every cell), helmfiles and
 * chart templates (they can generate Argo CD Applications, and helmfile cells read them), Chart.yaml.
 */
function rescansAll(p: string): boolean {
  const n = baseOf(p);
  return (
    p === "ladder.yaml" ||
    p === "ladder.yml" ||
    isPlaceholderEvidencePath(p) ||
    isHelmfilePath(p) ||
    n === "Chart.yaml" ||
    p.startsWith("templates/") ||
    p.includes("/templates/") ||
    p.endsWith(".tpl") ||
    p.endsWith(".gotmpl")
  );
}

/**
 * Keys whose values no layout rule reads: what a promotion edits. A line `key: value` with one of
 * them and a plain or quoted scalar value is masked; anything else (a nested map, a block scalar,
 * an anchor, a flow collection, a template) stays as written, so it still counts.
 */
const VALUE_LINE = /^(\s*(?:-\s+)?(?:image|newTag|digest|tag|version):)[ \t]+([^|>&*{[\s].*)$/;

/** The text with promotion-edited values masked: equal masks mean the layout cannot have changed. */
export function layoutMask(text: string): string {
  if (text.includes("{{")) return text;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = VALUE_LINE.exec(lines[i] ?? "");
    if (m) lines[i] = `${m[1]} *`;
  }
  return lines.join("\n");
}

/**
 * Scans `snapshot` reusing `previous` (a scan of an earlier commit of the same repository, made
 * with the same options): unchanged cells are the previous objects, the rest are resolved again.
 * Falls back to a full scan when the previous scan has no read index or something global changed.
 */
export async function refreshScan(previous: ScanResult, snapshot: RepoSnapshot, options: ScanOptions = {}): Promise<ScanResult> {
  const prev = scanContext(previous);
  if (
    !prev?.cellReads ||
    !prev.buildReads ||
    prev.optionsKey !== optionsKey(options) ||
    options.render === true ||
    typeof options.render === "object" ||
    prev.generators
  )
    return indexed(await scanRepository(snapshot, options));
  const change = await changeSince(prev.store, snapshot);
  const all = [...change.changed, ...change.added, ...change.removed];
  if (all.some(rescansAll)) return indexed(await scanRepository(snapshot, options));

  const sameTree = change.added.length === 0 && change.removed.length === 0;
  const store = new FileStore(snapshot, undefined, {
    from: prev.store,
    invalid: new Set(all),
    sameTree,
    byPath: change.byPath,
  });
  inheritPlaceholderEvidence(prev.store, store);
  // What a full scan would hold: every YAML text, and the non-YAML files a kustomization names
  // (an added one may be named by an unchanged kustomization; fetching one nothing names is harmless).
  await store.ensure([...change.changed.filter((p) => isYamlPath(p) || prev.store.hasText(p)), ...change.added]);
  const kustomizationFiles = [...change.changed, ...change.added].filter((p) =>
    (KUSTOMIZATION_NAMES as readonly string[]).includes(baseOf(p)),
  );
  await store.ensure(kustomizationFiles.flatMap((p) => kustomizationInfo(store, p)?.inputs ?? []));

  const keepPlan =
    sameTree &&
    change.changed.every((p) => {
      const before = prev.store.text(p);
      const after = store.text(p);
      return before !== undefined && after !== undefined && layoutMask(before) === layoutMask(after);
    });
  const invalid = invalidatedKeys(change.changed, [...change.added, ...change.removed]);
  if (keepPlan) {
    const inPlace = await refreshInPlace(previous, prev, snapshot, options, store, change.changed, invalid);
    if (inPlace) return inPlace;
  }
  const next = await runScan(snapshot, options, {
    previous: prev,
    previousApps: previous.apps,
    previousStats: previous.stats,
    store,
    keepPlan,
    invalid,
  });
  if (!deriveIndex(previous, next, "everything")) readIndex(next);
  return next;
}

/** A scan this module made from nothing, with its read index: the next refresh starts from it. */
function indexed(scan: ScanResult): ScanResult {
  readIndex(scan);
  return scan;
}

/** Where each app of a plan is in its list (the rows of a scan made from it are in the same order). */
const positions = new WeakMap<ScanContext["plan"], Map<string, number>>();

function appPositions(plan: ScanContext["plan"]): Map<string, number> {
  let m = positions.get(plan);
  if (!m) {
    m = new Map(plan.apps.map((a, i) => [a.name, i]));
    positions.set(plan, m);
  }
  return m;
}

/** What a cell adds to the scan's warnings (scan.ts: its warnings, then a rendering that disagrees). */
function warningPart(cell: Cell): string {
  const r = cell.rendered;
  return JSON.stringify([cell.warnings, r?.status === "disagree" ? [r.onlyRendered, r.onlyStatic] : null]);
}

/** Paths the reader left out (the local reader's symlinks), which the scan turns into warnings. */
function skippedOf(snapshot: RepoSnapshot): string {
  return JSON.stringify((snapshot as { skipped?: unknown }).skipped ?? []);
}

const CONTEXT = Symbol.for("ladder.gitops.scanContext");

/**
 * A refresh for files changed in place, none of them layout-relevant: the previous plan, rows and
 * warnings, with the cells the read index names resolved again. Undefined when the result could
 * differ from runScan's in a way this does not follow (a warning of the scan itself, a cell's
 * warnings changing, rows not lined up with the plan): the caller then runs the general refresh.
 */
async function refreshInPlace(
  previous: ScanResult,
  prev: ScanContext,
  snapshot: RepoSnapshot,
  options: ScanOptions,
  store: FileStore,
  changed: readonly string[],
  invalid: ReadonlySet<string>,
): Promise<ScanResult | undefined> {
  const started = performance.now();
  const index = readIndex(previous);
  if (!index || !prev.cellReads || !prev.buildReads) return undefined;
  // The scan's own warnings: YAML files over the size limit, paths the reader skipped.
  for (const p of changed) {
    const a = prev.store.files.get(p)?.size ?? 0;
    const b = store.files.get(p)?.size ?? 0;
    if (isYamlPath(p) && a > MAX_FILE_BYTES !== b > MAX_FILE_BYTES) return undefined;
  }
  if (skippedOf(prev.store.snapshot) !== skippedOf(snapshot)) return undefined;

  let plan = prev.plan;
  const status = plan.report.ladderYaml;
  // An invalid ladder.yaml's status names the commit it was read at: this one, now.
  if (status.state === "invalid")
    plan = { ...plan, report: { ...plan.report, ladderYaml: { ...status, commit: snapshot.commit } } };
  const builds = OverlayMap.of(prev.builds);
  const buildReads = OverlayMap.of(prev.buildReads);
  const cellReads = OverlayMap.of(prev.cellReads);
  const ctx: ScanContext = {
    store,
    plan,
    config: prev.config,
    fallbackConfig: prev.fallbackConfig,
    builds,
    buildReads,
    cellReads,
    optionsKey: prev.optionsKey,
    resolved: 0,
    planWarnings: prev.planWarnings ?? [],
  };
  const staleBuilds = readersOf(index.builds, invalid);
  for (const dir of staleBuilds) {
    builds.delete(dir);
    buildReads.delete(dir);
  }
  const ids = readersOf(index.cells, invalid);
  if (options.render === undefined) for (const id of index.rendersAgain) ids.add(id);

  // In plan order, as runScan resolves them.
  const at = appPositions(prev.plan);
  const envOrder = new Map(plan.environments.map((e, i) => [e, i]));
  const todo: { app: number; env: string; id: string }[] = [];
  for (const id of ids) {
    const [name = "", env = ""] = id.split("\u0000");
    const app = at.get(name);
    if (app === undefined || previous.apps[app]?.name !== name || !previous.apps[app]?.environments[env]) return undefined;
    todo.push({ app, env, id });
  }
  todo.sort((a, b) => a.app - b.app || (envOrder.get(a.env) ?? 0) - (envOrder.get(b.env) ?? 0));

  const rows = new Map<number, AppResult>();
  const fresh: [string, Cell][] = [];
  for (const { app, env, id } of todo) {
    const cp = plan.apps[app]?.cells.get(env);
    const before = previous.apps[app];
    if (!cp || !before) return undefined;
    const [cell, reads] = store.recording(() => resolveCell(ctx, cp));
    cellReads.set(id, reads);
    fresh.push([id, cell]);
    let row = rows.get(app);
    if (!row) {
      row = { name: before.name, format: before.format, environments: { ...before.environments } };
      rows.set(app, row);
    }
    row.environments[env] = cell;
  }
  if (options.render === undefined) {
    // A refresh renders only what it resolved (runScan does the same).
    const freshCells = new Set(fresh.map(([, c]) => c));
    const toRender = [...rows.values()].map((a) => ({
      ...a,
      environments: Object.fromEntries(Object.entries(a.environments).filter(([, c]) => freshCells.has(c))),
    }));
    await renderCells(ctx, toRender, { only: staticReadingIsPartial });
  }
  for (const { app, env } of todo) {
    const before = previous.apps[app]?.environments[env];
    const after = rows.get(app)?.environments[env];
    if (!before || !after || warningPart(before) !== warningPart(after)) return undefined;
  }
  ctx.resolved = fresh.length;

  const apps = previous.apps.slice();
  for (const [i, row] of rows) apps[i] = row;
  const result: ScanResult = {
    commit: snapshot.commit,
    environments: plan.environments,
    apps,
    warnings: previous.warnings,
    layout: plan.report,
    stats: { files: previous.stats.files, yamlFiles: previous.stats.yamlFiles, millis: Math.round(performance.now() - started) },
  };
  // Where scan.ts keeps a result's context (scanContext reads it back), under the same registry symbol.
  Object.defineProperty(result, CONTEXT, { value: ctx, enumerable: false });
  deriveIndex(previous, result, {
    cells: fresh.map(([id]) => id),
    builds: new Set([...staleBuilds, ...builds.touched]),
    fresh,
  });
  return result;
}
