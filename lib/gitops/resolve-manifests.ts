/** A plain-manifests cell: the containers of the YAML files in its directory (or the files its plan lists). */
import { isYamlPath } from "./file-store";
import { classify, containerHits, type Hit } from "./image-hits";
import { dedupeWarnings } from "./kustomize-build";
import type { CellPlan } from "./layout-plan";
import { placeholderEvidence } from "./placeholder-evidence";
import type { ScanContext } from "./scan";
import type { Cell, ScanWarning, UnresolvedImage } from "./types";
import { isObject, str } from "./yaml-source";

export function resolveManifestsCell(ctx: ScanContext, plan: CellPlan): Cell {
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
          { obj: d.value, kind, apiVersion: str(d.value.apiVersion) ?? "", name, previousIds: [], file: f, origin: f },
          { file: f, line: d.line },
        ),
      );
    }
  }
  const own = new Set(files);
  return {
    path: plan.path,
    format: "manifests",
    images: classify(hits, own, warnings, placeholderEvidence(ctx.store)),
    unresolved,
    remote: [],
    ownFiles: [...own].sort(),
    sharedFiles: [],
    warnings: dedupeWarnings(warnings),
  };
}
