/**
 * A Helm cell: its values files merged in Helm's order, then images read the way the chart writes
 * them (its image lines, for helmfile layouts) or by the generic walk over image-like keys. What
 * the values cannot say (a chart outside the repository, a block enabled without an image) is
 * unresolved, with the reason.
 */
import { chartDependencies } from "./artifacts";
import { chartAppVersion, imagesFromCompositions } from "./chart-image-lines";
import { enabledBlocksWithoutImages, extractHelmImages, mergeValues, tagsWithoutRepository } from "./helm-values";
import { outsideOverrides } from "./helmfile";
import { classify, type Hit, helmHitToHit } from "./image-hits";
import { dedupeWarnings } from "./kustomize-build";
import type { CellPlan } from "./layout-plan";
import { placeholderEvidence } from "./placeholder-evidence";
import type { ScanContext } from "./scan";
import type { Cell, ScanWarning, UnresolvedImage } from "./types";
import { isObject, type JsonObject } from "./yaml-source";

export function resolveHelmCell(ctx: ScanContext, plan: CellPlan): Cell {
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
      images: classify(hits, own, warnings, placeholderEvidence(ctx.store)),
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
  const images = classify(hits, own, warnings, placeholderEvidence(ctx.store));
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
