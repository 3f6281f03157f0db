/**
 * A Kustomize cell: the images of what its overlays build to (a Flux HelmRelease among them
 * contributes its values and its chart), split into the files the environment owns and the
 * shared ones it builds on. Builds are made once per directory per scan (getBuild).
 */
import { dedupeArtifacts, helmReleaseChart, remoteBase, unpinnedWarnings } from "./artifacts";
import { extractHelmImages } from "./helm-values";
import { classify, containerHits, type Hit, helmHitToHit } from "./image-hits";
import { buildKustomization, dedupeWarnings } from "./kustomize-build";
import { type BuildResult, type KResource, originalName } from "./kustomize-resource";
import type { CellPlan } from "./layout-plan";
import { placeholderEvidence } from "./placeholder-evidence";
import type { ScanContext } from "./scan";
import type { Artifact, Cell, RemoteRef, ScanWarning, UnresolvedImage } from "./types";
import { getPos, isObject, str } from "./yaml-source";

/**
 * The build of a directory, made once per scan. What the build read is kept beside it, so a cell
 * using a cached build still records those reads, and a later commit can keep the build when
 * none of them changed.
 */
export function getBuild(ctx: ScanContext, dir: string): BuildResult {
  const b = ctx.builds.get(dir);
  if (b) {
    ctx.store.replay(ctx.buildReads?.get(dir));
    return b;
  }
  const [built, reads] = ctx.store.recording(() => buildKustomization(ctx.store, dir));
  ctx.builds.set(dir, built);
  ctx.buildReads?.set(dir, reads);
  return built;
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

function ownFilesOf(files: Iterable<string>, ownDirs: readonly string[]): string[] {
  return [...files].filter((f) => ownDirs.some((d) => f === d || f.startsWith(d ? `${d}/` : ""))).sort();
}

export function resolveKustomizeCell(ctx: ScanContext, plan: CellPlan): Cell {
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
      if (plan.select?.workloads && !plan.select.workloads.includes(originalName(r))) return false;
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
  const images = classify(hits, ownSet, warnings, placeholderEvidence(ctx.store));
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
