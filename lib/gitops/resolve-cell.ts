/**
 * One cell of the matrix from its plan: resolved by its format, or over its targets when the
 * environment fans out to several. A failure costs that cell only, never the scan.
 */
import { dedupeArtifacts } from "./artifacts";
import { dedupeWarnings } from "./kustomize-build";
import type { CellPlan } from "./layout-plan";
import { resolveHelmCell } from "./resolve-helm";
import { resolveKustomizeCell } from "./resolve-kustomize";
import { resolveManifestsCell } from "./resolve-manifests";
import type { ScanContext } from "./scan";
import type { Cell, ImageReference, ScanWarning, TargetCell, UnresolvedImage } from "./types";

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
