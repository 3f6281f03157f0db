import { isWellKnownEnv, LAYOUT_PARENTS, NON_ENV_DIRS } from "./env-names";
import { baseOf, dirOf, type FileStore } from "./file-store";
import type { CellPlan } from "./layout-plan";
import { WORKLOAD_KINDS } from "./workload-kinds";
import { isObject, type JsonObject, str } from "./yaml-source";

const RELEASE_DIRS = new Set(["kubernetes-manifests", "release", "releases", "release-manifests"]);

/** Rendered manifests (`kubernetes-manifests/`, `release/`) and env-named dirs of plain manifests. */
export function detectPlainManifests(
  store: FileStore,
  referenced: Set<string>,
  addCell: (app: string, cell: CellPlan) => void,
  guessed: string[],
  ignored: { path: string; reason: string }[],
): void {
  const dirs = new Map<string, string[]>();
  for (const p of store.files.keys()) {
    if (!/\.ya?ml$/.test(p)) continue;
    const d = dirOf(p);
    const list = dirs.get(d) ?? [];
    list.push(p);
    dirs.set(d, list);
  }
  for (const [d, files] of dirs) {
    if (!d || store.kustomizationIn(d) || store.isFile(`${d}/Chart.yaml`) || d.split("/").includes("templates")) continue;
    const name = baseOf(d);
    const parentName = baseOf(dirOf(d));
    const isRelease = RELEASE_DIRS.has(name.toLowerCase());
    const isEnvDir =
      !isRelease &&
      (LAYOUT_PARENTS.has(parentName.toLowerCase()) || isWellKnownEnv(name)) &&
      !NON_ENV_DIRS.has(name.toLowerCase());
    if (!isRelease && !isEnvDir) continue;
    if (files.some((f) => referenced.has(f))) continue;
    if (files.every((f) => /^values[-.]?/.test(baseOf(f)))) continue;
    const workloads = new Map<string, string[]>();
    for (const f of files) {
      for (const doc of store.peek(f).docs) {
        const v = doc.value;
        if (!isObject(v)) continue;
        const kind = str(v.kind);
        const meta = isObject(v.metadata) ? v.metadata : ({} as JsonObject);
        const n = str(meta.name);
        if (!kind || !n || !WORKLOAD_KINDS.has(kind)) continue;
        const list = workloads.get(n) ?? [];
        if (!list.includes(f)) list.push(f);
        workloads.set(n, list);
      }
    }
    if (workloads.size === 0) continue;
    const env = isRelease ? "release" : name;
    for (const [w, wf] of workloads) {
      addCell(w, {
        env,
        format: "manifests",
        path: d,
        extraPaths: [],
        ownDirs: [d],
        manifests: { files: wf },
        select: { workloads: [w] },
      });
    }
    guessed.push(
      `${d}: plain manifests as environment '${env}' (${isRelease ? "rendered release manifests" : "env-named directory"}), one app per workload (${[...workloads.keys()].join(", ")})`,
    );
    void ignored;
  }
}
