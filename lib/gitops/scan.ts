import path from "node:path";
import { RE2JS } from "re2js";
import type { RepoSnapshot } from "../snapshot/types";
import { chartDependencies, helmReleaseChart, remoteBase, unpinnedWarnings } from "./artifacts";
import { chartAppVersion, imagesFromCompositions } from "./chart-image-lines";
import { detectLayout } from "./detect-layout";
import { orderEnvironments } from "./env-names";
import { FileStore, isYamlPath } from "./file-store";
import { expandGenerators, findGeneratorCharts, type HelmRunOptions } from "./helm-generators";
import { findHelm } from "./helm-render";
import {
  enabledBlocksWithoutImages,
  extractHelmImages,
  type HelmImageHit,
  mergeValues,
  tagsWithoutRepository,
} from "./helm-values";
import { helmfileInputs, outsideOverrides } from "./helmfile";
import { isPlaceholderImage, isTemplated, looksLikeImage, normaliseRepository, splitImage } from "./image-ref";
import {
  type BuildResult,
  buildKustomization,
  dedupeWarnings,
  imageSetters,
  type KResource,
  visitContainers,
} from "./kustomize-build";
import { environmentNames, environmentTargets, type LadderConfig, parseLadderConfig } from "./ladder-config";
import type { AppPlan, CellPlan, LayoutPlan } from "./layout-plan";
import { renderCells } from "./rendered";
import type {
  AppResult,
  Artifact,
  Cell,
  ImageReference,
  ImageSetBy,
  LadderYamlStatus,
  RemoteRef,
  ScanResult,
  ScanWarning,
  SourcePos,
  TargetCell,
  UnresolvedImage,
} from "./types";
import { getPos, isObject, type JsonObject, str } from "./yaml-source";

export interface ScanOptions {
  /** Render overlays with kustomize/kubectl and compare (slower; off by default). */
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

interface Hit {
  image: string;
  pos: SourcePos;
  setBy: ImageSetBy;
  usedBy: string;
  keyPath?: string;
  helmKeys?: ImageReference["helmKeys"];
}

function containerHits(r: KResource, fallback: SourcePos): Hit[] {
  const hits: Hit[] = [];
  visitContainers(r.obj, (c) => {
    if (typeof c.image !== "string") return;
    const setter = imageSetters.get(c);
    const pos = getPos(c, "image") ?? fallback;
    hits.push({ image: c.image, pos, setBy: setter ?? "manifest", usedBy: `${r.kind}/${r.name}:${str(c.name) ?? "?"}` });
  });
  return hits;
}

function helmHitToHit(h: HelmImageHit, setBy: ImageSetBy, usedByPrefix: string, fallback: SourcePos): Hit {
  return {
    image: h.image,
    pos: h.digestPos ?? h.tagPos ?? h.stringPos ?? h.repositoryPos ?? fallback,
    setBy,
    usedBy: `${usedByPrefix}${h.keyPath}`,
    keyPath: h.keyPath,
    helmKeys: { ...h.keys, digestKeyPresent: h.digestKeyPresent },
  };
}

/** Images of a Flux HelmRelease: its values, and a note for what the chart's own defaults decide. */
function helmReleaseHits(r: KResource, all: readonly KResource[], unresolved: UnresolvedImage[], warnings: ScanWarning[]): Hit[] {
  const spec = isObject(r.obj.spec) ? r.obj.spec : {};
  const values = isObject(spec.values) ? spec.values : {};
  const hits = extractHelmImages(values).map((h) =>
    helmHitToHit(h, "helm-release-values", `HelmRelease/${r.name}:values.`, { file: r.file, line: 1 }),
  );
  const chartSpec = isObject(spec.chart) && isObject(spec.chart.spec) ? spec.chart.spec : undefined;
  const chartRef = isObject(spec.chartRef) ? spec.chartRef : undefined;
  const sourceRef = chartSpec && isObject(chartSpec.sourceRef) ? chartSpec.sourceRef : chartRef;
  const chart = chartSpec ? str(chartSpec.chart) : str(chartRef?.name);
  const version = chartSpec ? str(chartSpec.version) : undefined;
  const srcKind = str(sourceRef?.kind) ?? "unknown source";
  const srcName = str(sourceRef?.name);
  const repo = all.find((x) => x.kind === srcKind && x.name === srcName);
  const url = repo && isObject(repo.obj.spec) ? str(repo.obj.spec.url) : undefined;
  const pos = (chartSpec ? getPos(chartSpec, "version") : undefined) ??
    (chartSpec ? getPos(chartSpec, "chart") : undefined) ?? { file: r.file, line: 1 };
  const reason = `Helm chart '${chart ?? "?"}' of HelmRelease ${r.name} comes from ${srcKind}${srcName ? ` '${srcName}'` : ""}${url ? ` (${url})` : ""}${version ? ` with version constraint '${version}'` : ""}; images set by the chart's default values are not in the repository`;
  unresolved.push({ reference: `chart:${chart ?? "?"}`, reason, source: pos });
  warnings.push({ ...pos, message: reason, code: "chart-not-in-repo" });
  return hits;
}

function toReference(hit: Hit, own: ReadonlySet<string>): ImageReference {
  const p = splitImage(hit.image);
  return {
    repository: p.name,
    repositoryNormalised: normaliseRepository(p.name),
    tag: p.tag ?? null,
    digest: p.digest ?? null,
    pinned: p.digest !== undefined,
    source: hit.pos,
    inherited: !own.has(hit.pos.file),
    setBy: hit.setBy,
    usedBy: [hit.usedBy],
    ...(hit.keyPath !== undefined ? { keyPath: hit.keyPath } : {}),
    ...(hit.helmKeys !== undefined ? { helmKeys: hit.helmKeys } : {}),
  };
}

/** Turns raw image strings into references; placeholders and templates become unresolved entries with a reason. */
function classify(
  hits: Hit[],
  own: ReadonlySet<string>,
  unresolved: UnresolvedImage[],
  warnings: ScanWarning[],
): ImageReference[] {
  const byImage = new Map<string, ImageReference>();
  for (const h of hits) {
    if (isTemplated(h.image)) {
      const reason = `image '${h.image}' is a template expression, filled in outside git`;
      unresolved.push({ reference: h.image, reason, source: h.pos });
      warnings.push({ ...h.pos, message: reason, code: "templated-image" });
      continue;
    }
    if (!looksLikeImage(h.image)) {
      const reason = `'${h.image}' is not a valid image reference`;
      unresolved.push({ reference: h.image, reason, source: h.pos });
      warnings.push({ ...h.pos, message: reason, code: "invalid-image" });
      continue;
    }
    const parsed = splitImage(h.image);
    if (isPlaceholderImage(parsed)) {
      const reason = `placeholder image '${h.image}' (bare name, no registry, tag or digest): a build tool such as skaffold substitutes the real image at deploy time; it is not in git`;
      if (!unresolved.some((u) => u.reference === h.image)) {
        unresolved.push({ reference: h.image, reason, source: h.pos });
        warnings.push({ ...h.pos, message: reason, code: "placeholder-image" });
      }
      continue;
    }
    const existing = byImage.get(h.image);
    if (existing) {
      if (!existing.usedBy.includes(h.usedBy)) existing.usedBy.push(h.usedBy);
      continue;
    }
    byImage.set(h.image, toReference(h, own));
  }
  return [...byImage.values()];
}

/** One entry per kind, name, version and place (a base read by two overlays of one cell counts once). */
function dedupeArtifacts(list: readonly Artifact[]): Artifact[] {
  const seen = new Map<string, Artifact>();
  for (const a of list) seen.set(`${a.kind}|${a.name}|${a.version}|${a.source.file}:${a.source.line}`, a);
  return [...seen.values()];
}

function ownFilesOf(files: Iterable<string>, ownDirs: readonly string[]): string[] {
  return [...files].filter((f) => ownDirs.some((d) => f === d || f.startsWith(d ? `${d}/` : ""))).sort();
}

function resolveKustomizeCell(ctx: ScanContext, plan: CellPlan): Cell {
  const warnings: ScanWarning[] = [];
  const artifacts: Artifact[] = [];
  const remote: RemoteRef[] = [];
  const unresolved: UnresolvedImage[] = [];
  const files = new Set<string>();
  const hits: Hit[] = [];
  for (const p of [plan.path, ...plan.extraPaths]) {
    const b = getBuild(ctx, p);
    warnings.push(...b.warnings);
    remote.push(...b.remote);
    for (const f of b.files) files.add(f);
    const selected = b.resources.filter((r) => {
      if (plan.select?.origins && !plan.select.origins.includes(r.origin)) return false;
      if (plan.select?.workloads && !plan.select.workloads.includes(r.previousNames[0] ?? r.name)) return false;
      return true;
    });
    for (const r of selected) {
      if (r.kind === "HelmRelease") {
        hits.push(...helmReleaseHits(r, b.resources, unresolved, warnings));
        const chart = helmReleaseChart(r, b.resources);
        if (chart) artifacts.push(chart);
      } else hits.push(...containerHits(r, { file: r.file, line: 1 }));
    }
  }
  for (const r of remote) artifacts.push(remoteBase(r));
  warnings.push(...unpinnedWarnings(artifacts));
  const own = ownFilesOf(files, plan.ownDirs);
  const ownSet = new Set(own);
  const images = classify(hits, ownSet, unresolved, warnings);
  return {
    path: plan.path,
    ...(plan.extraPaths.length ? { extraPaths: plan.extraPaths } : {}),
    format: "kustomize",
    images,
    unresolved,
    remote,
    ...(artifacts.length ? { artifacts: dedupeArtifacts(artifacts) } : {}),
    ownFiles: own,
    sharedFiles: [...files].filter((f) => !ownSet.has(f)).sort(),
    warnings: dedupeWarnings(warnings),
  };
}

function resolveHelmCell(ctx: ScanContext, plan: CellPlan): Cell {
  const helm = plan.helm ?? { valueFiles: [plan.path], ownValueFiles: [plan.path] };
  const warnings: ScanWarning[] = [];
  const unresolved: UnresolvedImage[] = [];
  let values: JsonObject = {};
  for (const f of helm.valueFiles) {
    const loaded = ctx.store.load(f);
    warnings.push(...loaded.warnings);
    const doc = loaded.docs[0]?.value;
    if (doc === undefined || doc === null) continue;
    if (!isObject(doc)) {
      warnings.push({ file: f, line: 1, message: "values file is not a mapping", code: "helm-values" });
      continue;
    }
    values = mergeValues(values, doc);
  }
  let appVersion: string | undefined;
  if (helm.chartDir !== undefined) {
    const chart = ctx.store.load(`${helm.chartDir}/Chart.yaml`).docs[0]?.value;
    if (isObject(chart))
      appVersion =
        typeof chart.appVersion === "string" || typeof chart.appVersion === "number" ? String(chart.appVersion) : undefined;
  }
  if (helm.compositions && helm.chartDir !== undefined) {
    // The chart's own image lines say how values become images: apply them, not the generic walk.
    const composed = imagesFromCompositions(values, helm.compositions, chartAppVersion(ctx.store, helm.chartDir), {
      overriddenBy: outsideOverrides(helm.layers ?? []),
    });
    const hits: Hit[] = composed.images.map((c) => ({
      image: c.image,
      pos: c.source,
      setBy: c.from === "values" ? "helm-values" : "chart-default",
      usedBy: `template ${c.template.file}:${c.template.line}`,
      ...(c.decidingKey ? { keyPath: c.decidingKey } : {}),
      ...(c.keys
        ? { helmKeys: { repository: c.keys.repository, tag: c.keys.tag, digest: c.keys.digest, digestKeyPresent: false } }
        : {}),
    }));
    for (const u of composed.unresolved) {
      unresolved.push(u);
      warnings.push({
        file: u.source?.file ?? plan.path,
        line: u.source?.line ?? 1,
        message: u.reason,
        code: "chart-image-unresolved",
      });
    }
    const own = new Set(helm.ownValueFiles);
    return {
      path: plan.path,
      format: "helm",
      images: classify(hits, own, unresolved, warnings),
      unresolved,
      remote: [],
      ownFiles: [...own].sort(),
      sharedFiles: helm.valueFiles.filter((f) => !own.has(f)),
      warnings: dedupeWarnings(warnings),
    };
  }
  const hitsRaw = extractHelmImages(values, helm.keys ?? [], appVersion);
  const hits = hitsRaw.map((h) => helmHitToHit(h, "helm-values", "values.", { file: plan.path, line: 1 }));
  if (helm.chartDir === undefined) {
    // The chart lives elsewhere: a tag the values set is still what the environment runs.
    const tags = tagsWithoutRepository(values, hitsRaw, helm.tagKeys);
    for (const t of tags) {
      const reason = `tag ${t.tag} (${t.keyPath}); the image repository comes from the chart, which is not in this repository`;
      unresolved.push({ reference: `tag:${t.keyPath}`, reason, tag: t.tag, ...(t.pos ? { source: t.pos } : {}) });
      warnings.push({ file: t.pos?.file ?? plan.path, line: t.pos?.line ?? 1, message: reason, code: "chart-not-in-repo" });
    }
    if (tags.length === 0) {
      const reason = "the Helm chart is not in the repository; images set only by its default values are unknown";
      unresolved.push({ reference: "chart:?", reason });
      warnings.push({ file: plan.path, line: 1, message: reason, code: "chart-not-in-repo" });
    }
  } else {
    for (const b of enabledBlocksWithoutImages(values, hitsRaw)) {
      const reason = `values enable '${b.keyPath}' but set no image for it; its image (if any) is decided by a chart template, which static resolution does not render`;
      unresolved.push({ reference: `values:${b.keyPath}`, reason, source: b.pos });
      warnings.push({ file: b.pos?.file ?? plan.path, line: b.pos?.line ?? 1, message: reason, code: "chart-template-image" });
    }
  }
  const own = new Set(helm.ownValueFiles);
  const images = classify(hits, own, unresolved, warnings);
  const artifacts = helm.chartDir !== undefined ? chartDependencies(ctx.store, helm.chartDir) : [];
  return {
    path: plan.path,
    format: "helm",
    images,
    unresolved,
    remote: [],
    ...(artifacts.length ? { artifacts } : {}),
    ownFiles: [...own].sort(),
    sharedFiles: helm.valueFiles.filter((f) => !own.has(f)),
    warnings: dedupeWarnings(warnings),
  };
}

function resolveManifestsCell(ctx: ScanContext, plan: CellPlan): Cell {
  const warnings: ScanWarning[] = [];
  const unresolved: UnresolvedImage[] = [];
  const files = plan.manifests?.files ?? ctx.store.filesUnder(plan.path).filter(isYamlPath);
  const hits: Hit[] = [];
  for (const f of files) {
    const loaded = ctx.store.load(f);
    warnings.push(...loaded.warnings);
    for (const d of loaded.docs) {
      if (!isObject(d.value)) continue;
      const kind = str(d.value.kind);
      const meta = isObject(d.value.metadata) ? d.value.metadata : {};
      const name = str(meta.name) ?? "";
      if (!kind) continue;
      if (plan.select?.workloads && !plan.select.workloads.includes(name)) continue;
      hits.push(
        ...containerHits(
          { obj: d.value, kind, apiVersion: str(d.value.apiVersion) ?? "", name, previousNames: [], file: f, origin: f },
          { file: f, line: d.line },
        ),
      );
    }
  }
  const own = new Set(files);
  return {
    path: plan.path,
    format: "manifests",
    images: classify(hits, own, unresolved, warnings),
    unresolved,
    remote: [],
    ownFiles: [...own].sort(),
    sharedFiles: [],
    warnings: dedupeWarnings(warnings),
  };
}

export function getBuild(ctx: ScanContext, dir: string): BuildResult {
  let b = ctx.builds.get(dir);
  if (!b) {
    b = buildKustomization(ctx.store, dir);
    ctx.builds.set(dir, b);
  }
  return b;
}

export function resolveCell(ctx: ScanContext, plan: CellPlan): Cell {
  if (!plan.targets?.length) return resolveOne(ctx, plan);
  return resolveWithTargets(ctx, plan, plan.targets);
}

/**
 * An environment that fans out: each target resolves from its own leaf; the environment's cell
 * lists every image any target runs (once, with the workloads of all targets that run it), and
 * keeps the files of its shared directory as its own, so a promotion into it reaches every target.
 */
function resolveWithTargets(ctx: ScanContext, plan: CellPlan, targetPlans: readonly CellPlan[]): Cell {
  const shared = plan.ownDirs.length > 0 ? resolveOne(ctx, { ...plan, targets: undefined }) : undefined;
  const targets: Record<string, TargetCell> = {};
  for (const t of targetPlans) {
    const cell = resolveOne(ctx, t);
    // What the environment's shared directory sets is the environment's own, not inherited.
    const envOwn = new Set(shared?.ownFiles ?? []);
    cell.images = cell.images.map((i) => (envOwn.has(i.source.file) ? { ...i, inherited: false } : i));
    targets[t.target ?? t.path] = cell;
  }
  const images = new Map<string, ImageReference>();
  const unresolved: UnresolvedImage[] = [];
  const warnings: ScanWarning[] = [...(shared?.warnings ?? [])];
  for (const cell of Object.values(targets)) {
    for (const i of cell.images) {
      const key = `${i.repositoryNormalised}|${i.tag ?? ""}|${i.digest ?? ""}`;
      const seen = images.get(key);
      if (seen) seen.usedBy.push(...i.usedBy.filter((u) => !seen.usedBy.includes(u)));
      else images.set(key, { ...i, usedBy: [...i.usedBy] });
    }
    for (const u of cell.unresolved) if (!unresolved.some((x) => x.reference === u.reference)) unresolved.push(u);
    warnings.push(...cell.warnings);
  }
  return {
    path: plan.path,
    format: plan.format,
    images: [...images.values()],
    unresolved,
    remote: [...(shared?.remote ?? []), ...Object.values(targets).flatMap((t) => t.remote)],
    ...(Object.values(targets).some((t) => t.artifacts?.length)
      ? { artifacts: dedupeArtifacts(Object.values(targets).flatMap((t) => t.artifacts ?? [])) }
      : {}),
    ownFiles: shared?.ownFiles ?? [],
    sharedFiles: shared?.sharedFiles ?? [],
    warnings: dedupeWarnings(warnings),
    targets,
  };
}

function resolveOne(ctx: ScanContext, plan: CellPlan): Cell {
  try {
    if (plan.format === "helm") return resolveHelmCell(ctx, plan);
    if (plan.format === "manifests") return resolveManifestsCell(ctx, plan);
    return resolveKustomizeCell(ctx, plan);
  } catch (err) {
    // A bug or an input we did not foresee must cost one cell, never the whole scan.
    const message = `could not resolve this environment: ${(err as Error).message}`;
    return {
      path: plan.path,
      format: plan.format,
      images: [],
      unresolved: [],
      remote: [],
      ownFiles: [],
      sharedFiles: [],
      warnings: [{ file: plan.path, line: 1, message, code: "internal-error" }],
    };
  }
}

function substitute(pattern: string, app: string, env: string, target?: string): string {
  const out = pattern.replaceAll("{app}", app).replaceAll("{env}", env);
  return target === undefined ? out : out.replaceAll("{target}", target);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Builds the layout from ladder.yaml: explicit paths or `{app}`/`{env}`/`{target}` patterns matched
 * against the tree. An environment with `targets` gets one leaf per target from a `{target}`
 * path, under the environment's own `envPath`.
 */
export function planFromConfig(store: FileStore, config: LadderConfig, configFile: string): LayoutPlan {
  const envs = environmentNames(config);
  const targetsOf = environmentTargets(config);
  const warnings: ScanWarning[] = [];
  const apps: AppPlan[] = [];
  const exists = (format: string, p: string) =>
    format === "helm"
      ? store.isFile(p)
      : format === "manifests"
        ? store.isDir(p) || store.isFile(p)
        : store.kustomizationIn(p) !== undefined;
  const allTargets = [...new Set([...targetsOf.values()].flat())];
  config.apps.forEach((a) => {
    let names: string[];
    if (a.name) names = [a.name];
    else {
      const pattern = a.path ?? "";
      // RE2 (linear time): several `{app}` in one pattern would backtrack exponentially in RegExp.
      const re = RE2JS.compile(
        `^${escapeRe(pattern)
          .replaceAll("\\{app\\}", "([^/]+)")
          .replaceAll("\\{env\\}", `(?:${envs.map(escapeRe).join("|")})`)
          .replaceAll("\\{target\\}", `(?:${allTargets.map(escapeRe).join("|") || "[^/]+"})`)}$`,
      );
      const appOf = (p: string): string | undefined => {
        const m = re.matcher(p);
        return m.matches() ? (m.group(1) ?? undefined) : undefined;
      };
      const pool = a.format === "helm" ? [...store.files.keys()] : [...store.dirs];
      names = [...new Set(pool.map(appOf).filter((x): x is string => x !== undefined))].sort();
    }
    for (const name of names) {
      const cells = new Map<string, CellPlan>();
      const planAt = (env: string, p: string, envFile?: string): CellPlan => {
        const cell: CellPlan = { env, format: a.format, path: p, extraPaths: [], ownDirs: a.format === "helm" ? [] : [p] };
        if (a.format === "helm") {
          const chartDir = a.helm?.chart ? substitute(a.helm.chart, name, env) : undefined;
          const chartValues = chartDir && store.isFile(`${chartDir}/values.yaml`) ? [`${chartDir}/values.yaml`] : [];
          const extra = (a.helm?.valueFiles ?? []).map((f) => substitute(f, name, env)).filter((f) => f !== p);
          const envValues = envFile && envFile !== p && store.isFile(envFile) ? [envFile] : [];
          cell.helm = {
            chartDir,
            valueFiles: [...chartValues, ...extra, ...envValues, p],
            ownValueFiles: [p],
            keys: a.helm?.images,
          };
        }
        return cell;
      };
      for (const env of a.environments ?? envs) {
        const explicit = a.paths?.[env];
        const pattern = explicit ?? a.path;
        if (pattern === undefined) continue;
        const targets = targetsOf.get(env);
        if (targets && pattern.includes("{target}")) {
          const envPath = a.envPath ? substitute(a.envPath, name, env) : undefined;
          const leaves = targets
            .map((t) => ({ t, p: substitute(pattern, name, env, t) }))
            .filter(({ t, p }) => {
              if (exists(a.format, p)) return true;
              if (explicit !== undefined)
                warnings.push({
                  file: configFile,
                  line: 1,
                  message: `app ${name}, environment ${env}, target ${t}: path ${p} not found`,
                  code: "ladder-config",
                });
              return false;
            })
            .map(({ t, p }) => ({ ...planAt(env, p, envPath), target: t }));
          if (leaves.length === 0) continue;
          const own = envPath !== undefined && exists(a.format, envPath) ? envPath : undefined;
          const envPlan = planAt(env, own ?? path.posix.dirname(leaves[0]?.path ?? ""));
          if (!own) {
            envPlan.ownDirs = [];
            if (envPlan.helm) envPlan.helm.ownValueFiles = [];
          }
          cells.set(env, { ...envPlan, targets: leaves });
          continue;
        }
        const p = substitute(pattern, name, env);
        if (!exists(a.format, p)) {
          if (explicit !== undefined)
            warnings.push({
              file: configFile,
              line: 1,
              message: `app ${name}, environment ${env}: path ${p} not found`,
              code: "ladder-config",
            });
          continue;
        }
        cells.set(env, planAt(env, p));
      }
      if (cells.size > 0) apps.push({ name, format: a.format, cells });
    }
  });
  return {
    environments: envs,
    apps,
    report: { source: "ladder.yaml", ladderYaml: { state: "valid", file: configFile }, guessed: [], ignored: [] },
    warnings,
  };
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
  const started = performance.now();
  const files = snapshot.files();
  const store = new FileStore(snapshot, files);
  await store.prefetch();
  const warnings: ScanWarning[] = [];
  const skipped = (snapshot as { skipped?: readonly { path: string; reason: string }[] }).skipped ?? [];
  for (const s of skipped) warnings.push({ file: s.path, line: 1, message: `not read: ${s.reason}`, code: "path-escape" });
  for (const f of files) {
    if (isYamlPath(f.path) && f.size > 1024 * 1024)
      warnings.push({
        file: f.path,
        line: 1,
        message: `file is ${f.size} bytes, over the 1 MiB limit; not read`,
        code: "file-too-large",
      });
  }

  const ctx: ScanContext = {
    store,
    plan: {
      environments: [],
      apps: [],
      report: { source: "detected", ladderYaml: { state: "missing" }, guessed: [], ignored: [] },
    },
    builds: new Map(),
  };
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
  ctx.plan = plan;
  warnings.push(...(plan.warnings ?? []));

  let apps: AppResult[] = plan.apps.map((a) => {
    const environments: Record<string, Cell> = {};
    for (const env of plan.environments) {
      const cp = a.cells.get(env);
      if (cp) environments[env] = resolveCell(ctx, cp);
    }
    return { name: a.name, format: a.format, environments };
  });
  let environments = plan.environments;
  if (plan.report.source === "detected") {
    const helm = options.helm === false ? undefined : (options.helm ?? (await defaultHelm()));
    const generated = await generatedApps(store, apps, environments, helm);
    apps = generated.apps;
    environments = generated.environments;
    warnings.push(...generated.warnings);
    plan.report.guessed.push(...generated.guessed);
  }
  for (const a of apps) for (const c of Object.values(a.environments)) warnings.push(...c.warnings);

  if (options.render) {
    const opts = typeof options.render === "object" ? options.render : {};
    await renderCells(ctx, apps, opts);
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
  }

  const result: ScanResult = {
    commit: snapshot.commit,
    environments,
    apps,
    warnings: dedupeWarnings(warnings),
    layout: plan.report,
    stats: {
      files: files.length,
      yamlFiles: files.filter((f) => isYamlPath(f.path)).length,
      millis: Math.round(performance.now() - started),
    },
  };
  Object.defineProperty(result, CONTEXT, { value: ctx, enumerable: false });
  return result;
}
