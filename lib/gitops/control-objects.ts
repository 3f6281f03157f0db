/**
 * Kargo, Argo CD and Flux objects point at environments; they are not environments. Directories
 * holding them (Flux `clusters/<env>`, Kargo stages, Argo apps) are reported as ignored.
 */
import { dirOf, type FileStore, isYamlPath } from "./file-store";
import type { AppPlan } from "./layout-plan";
import { isObject, str } from "./yaml-source";

const CONTROL_GROUPS: [RegExp, string][] = [
  [/kargo\.akuity\.io/, "Kargo"],
  [/argoproj\.io/, "Argo CD"],
  [/toolkit\.fluxcd\.io|extensions\.fluxcd\.io/, "Flux"],
];

function controlKind(store: FileStore, p: string): string | undefined {
  const docs = store.peek(p).docs;
  for (const d of docs) {
    if (!isObject(d.value)) continue;
    const api = str(d.value.apiVersion) ?? "";
    for (const [re, label] of CONTROL_GROUPS) if (re.test(api)) return label;
  }
  return undefined;
}

/** Reports every directory of control objects that no cell reads. */
export function reportControlObjects(
  store: FileStore,
  apps: ReadonlyMap<string, AppPlan>,
  ignored: { path: string; reason: string }[],
): void {
  const envDirsSeen = new Set([...apps.values()].flatMap((a) => [...a.cells.values()].flatMap((c) => [c.path, ...c.extraPaths])));
  const reported = new Set<string>();
  for (const p of store.files.keys()) {
    if (!isYamlPath(p)) continue;
    const d = dirOf(p);
    if (reported.has(d) || envDirsSeen.has(d) || store.kustomizationIn(d) !== undefined) continue;
    const text = store.text(p);
    if (!text || !/fluxcd\.io|argoproj\.io|kargo\.akuity\.io/.test(text)) continue;
    const label = controlKind(store, p);
    if (!label) continue;
    reported.add(d);
    ignored.push({ path: d || ".", reason: `${label} control objects (they point at environments; they are not environments)` });
  }
}
