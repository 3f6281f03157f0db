/**
 * Helm layouts without a ladder.yaml: `values-<env>.yaml` beside a chart's values.yaml, and
 * `<layout-parent>/<env>/values.yaml` with the chart an Argo CD source names (or the only chart in
 * the repository), or none: a values-only repository, one app per values file or global tag key.
 */
import { appNameFromPath } from "./app-names";
import { isWellKnownEnv, LAYOUT_PARENTS, NON_ENV_DIRS } from "./env-names";
import { baseOf, dirOf, type FileStore, isYamlPath } from "./file-store";
import { type CellPlan, ENV_PLACEHOLDER_DEFAULT } from "./layout-plan";
import { isObject, str } from "./yaml-source";

function chartName(store: FileStore, chartDir: string): string | undefined {
  const doc = store.peek(`${chartDir}/Chart.yaml`).docs[0]?.value;
  return isObject(doc) ? str(doc.name) : undefined;
}

/** Argo CD Applications/ApplicationSets that point a chart at per-env values files. */
function argoHelmSources(store: FileStore): { chartPath: string; valueFiles: string[] }[] {
  const out: { chartPath: string; valueFiles: string[] }[] = [];
  for (const p of store.files.keys()) {
    if (!isYamlPath(p)) continue;
    const text = store.text(p);
    if (!text?.includes("argoproj.io") || !text.includes("valueFiles")) continue;
    for (const d of store.peek(p).docs) {
      if (!isObject(d.value)) continue;
      const spec = isObject(d.value.spec) ? d.value.spec : {};
      const source = isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec.source : spec.source;
      if (!isObject(source)) continue;
      const chartPath = str(source.path);
      const helm = isObject(source.helm) ? source.helm : {};
      const vf = Array.isArray(helm.valueFiles) ? helm.valueFiles.filter((x): x is string => typeof x === "string") : [];
      if (chartPath) out.push({ chartPath: chartPath.replace(/^\.?\//, "").replace(/\/$/, ""), valueFiles: vf });
    }
  }
  return out;
}

export function detectHelm(
  store: FileStore,
  addCell: (app: string, cell: CellPlan) => void,
  guessed: string[],
  ignored: { path: string; reason: string }[],
  claimed: (file: string) => boolean,
  /** Values files or directories an Argo CD Application already reads as a cell. */
  claimedByArgo: (path: string) => boolean = () => false,
): void {
  const charts = [...store.files.keys()].filter((p) => baseOf(p) === "Chart.yaml").map(dirOf);
  const argo = argoHelmSources(store);
  // values-<env>.yaml beside a values.yaml (in a chart, the plain values.yaml is the 'default' release).
  const byDir = new Map<string, string[]>();
  for (const p of store.files.keys()) {
    const m = /^values[-.]([A-Za-z0-9][A-Za-z0-9_-]*)\.ya?ml$/.exec(baseOf(p));
    if (!m?.[1] || m[1] === "schema" || claimed(p)) continue;
    const d = dirOf(p);
    const list = byDir.get(d) ?? [];
    list.push(p);
    byDir.set(d, list);
  }
  for (const [d, files] of byDir) {
    const valuesYaml = ["values.yaml", "values.yml"].map((n) => (d ? `${d}/${n}` : n)).find((p) => store.isFile(p));
    const isChart = store.isFile(d ? `${d}/Chart.yaml` : "Chart.yaml");
    const app = (isChart ? chartName(store, d) : undefined) ?? appNameFromPath(d) ?? "app";
    const chartDir = isChart ? d : undefined;
    const shared = valuesYaml ? [valuesYaml] : [];
    if (isChart && valuesYaml) {
      addCell(app, {
        env: ENV_PLACEHOLDER_DEFAULT,
        format: "helm",
        path: valuesYaml,
        extraPaths: [],
        ownDirs: [],
        helm: { chartDir, valueFiles: [valuesYaml], ownValueFiles: [valuesYaml] },
      });
    }
    const envs: string[] = [];
    for (const f of files) {
      const env = /^values[-.]([A-Za-z0-9][A-Za-z0-9_-]*)\.ya?ml$/.exec(baseOf(f))?.[1];
      if (!env) continue;
      envs.push(env);
      addCell(app, {
        env,
        format: "helm",
        path: f,
        extraPaths: [],
        ownDirs: [],
        helm: { chartDir, valueFiles: [...shared, f], ownValueFiles: [f] },
      });
    }
    guessed.push(
      `${d || "."}: Helm values per environment (${isChart && valuesYaml ? `${ENV_PLACEHOLDER_DEFAULT} = values.yaml alone, ` : ""}${envs.join(", ")}) for app '${app}'`,
    );
  }
  // <layout-parent>/<env>/values.yaml or <env>/values.yaml, with no kustomization beside it.
  const groups = new Map<string, { env: string; dir: string; file: string }[]>();
  for (const p of store.files.keys()) {
    if (!/^values\.ya?ml$/.test(baseOf(p))) continue;
    const d = dirOf(p);
    if (claimedByArgo(p) || claimedByArgo(d)) continue;
    if (store.kustomizationIn(d) || store.isFile(d ? `${d}/Chart.yaml` : "Chart.yaml")) continue;
    const env = baseOf(d);
    const parent = dirOf(d);
    if (!d || NON_ENV_DIRS.has(env.toLowerCase())) continue;
    if (!LAYOUT_PARENTS.has(baseOf(parent).toLowerCase()) && !isWellKnownEnv(env)) continue;
    const list = groups.get(parent) ?? [];
    list.push({ env, dir: d, file: p });
    groups.set(parent, list);
  }
  for (const [root, list] of groups) {
    // The chart: one an Argo CD source names with these value files, else the only in-repo chart.
    const viaArgo = argo.find((a) => a.valueFiles.some((v) => v.replace(/^\//, "").startsWith(`${root}/`)));
    const chartDir =
      viaArgo && charts.includes(viaArgo.chartPath) ? viaArgo.chartPath : charts.length === 1 ? charts[0] : undefined;
    if (chartDir === undefined && !viaArgo) {
      valuesOnlyApps(store, root, list, addCell, guessed);
      continue;
    }
    const app = appNameFromPath(root) ?? (chartDir ? chartName(store, chartDir) : undefined) ?? "app";
    for (const { env, dir, file } of list) {
      const own = store
        .filesUnder(dir)
        .filter((p) => dirOf(p) === dir && /\.ya?ml$/.test(p))
        .sort((a, b) => (a === file ? -1 : b === file ? 1 : a < b ? -1 : 1));
      const ordered = viaArgo
        ? viaArgo.valueFiles
            .map((v) => v.replace(/^\//, "").replace(/\{\{\s*path\.basename\s*\}\}/g, env))
            .filter((p) => store.isFile(p))
        : own;
      const chartValues = chartDir ? [`${chartDir}/values.yaml`].filter((p) => store.isFile(p)) : [];
      addCell(app, {
        env,
        format: "helm",
        path: file,
        extraPaths: [],
        ownDirs: [dir],
        helm: { chartDir, valueFiles: [...chartValues, ...(ordered.length ? ordered : own)], ownValueFiles: own },
      });
    }
    guessed.push(
      `${root || "."}/<env>/values.yaml: Helm values of app '${app}'${chartDir ? ` (chart ${chartDir}${viaArgo ? ", from an Argo CD source" : ", the only chart in the repo"})` : " (chart not found in the repository)"}`,
    );
  }
  for (const c of charts) {
    const hasTemplates = [...store.files.keys()].some((p) => p.startsWith(`${c}/templates/`));
    if (hasTemplates)
      ignored.push({ path: `${c}/templates`, reason: "Helm templates (Go templates, not YAML); images come from values" });
  }
}

/** `global.webTag`, `global.api_image_tag`: a shared values file setting tags for several apps. */
const GLOBAL_TAG_KEY = /^([a-z][a-z0-9]*?)[-_]?(?:image)?[-_]?tag$/i;

/**
 * A values-only repository (the chart lives elsewhere; Argo CD multi-source points `$values` here):
 * `<root>/<env>/values.yaml` over a shared `<root>/base/values.yaml`, and further values files in
 * the environment directory, one per release. Each further file is its own app, named after the
 * file; a values.yaml whose `global` block names a tag per app (`global.webTag`, `global.apiTag`)
 * is one app per name. Every name is reported as guessed.
 */
function valuesOnlyApps(
  store: FileStore,
  root: string,
  list: readonly { env: string; dir: string; file: string }[],
  addCell: (app: string, cell: CellPlan) => void,
  guessed: string[],
): void {
  const shared = ["base", "common", "shared"]
    .flatMap((d) => [`${root ? `${root}/` : ""}${d}/values.yaml`, `${root ? `${root}/` : ""}${d}/values.yml`])
    .filter((p) => store.isFile(p));
  const names = new Set<string>();
  for (const { env, dir, file } of list) {
    const globalOf = (p: string) => {
      const v = store.peek(p).docs[0]?.value;
      return isObject(v) && isObject(v.global) ? v.global : {};
    };
    const perApp = new Map<string, string[]>();
    for (const f of [...shared, file])
      for (const k of Object.keys(globalOf(f))) {
        const name = GLOBAL_TAG_KEY.exec(k)?.[1];
        if (name && !/^image$/i.test(name)) perApp.set(name, [...(perApp.get(name) ?? []), `global.${k}`]);
      }
    const valueFiles = [...shared, file];
    // One app per global tag key; without any, the file is one app named after its tree.
    const owners: [string, string[] | undefined][] =
      perApp.size > 0
        ? [...perApp].map(([name, keys]) => [name, [...new Set(keys)]])
        : [[appNameFromPath(root) ?? "app", undefined]];
    for (const [name, tagKeys] of owners) {
      names.add(name);
      addCell(name, {
        env,
        format: "helm",
        path: file,
        extraPaths: [],
        ownDirs: [],
        helm: { valueFiles, ownValueFiles: [file], ...(tagKeys ? { tagKeys } : {}) },
      });
    }
    for (const other of store.filesUnder(dir)) {
      if (dirOf(other) !== dir || other === file || !/\.ya?ml$/.test(other)) continue;
      const name = baseOf(other)
        .replace(/\.ya?ml$/, "")
        .replace(/^values[-_.]|[-_.]values$/, "");
      names.add(name);
      addCell(name, {
        env,
        format: "helm",
        path: other,
        extraPaths: [],
        ownDirs: [],
        helm: { valueFiles: [...shared, other], ownValueFiles: [other] },
      });
    }
  }
  guessed.push(
    `${root || "."}/<env>/*.yaml: values only (the chart is not in the repository); one app per values file or per global tag key (${[...names].join(", ")})${shared.length ? `, over ${shared.join(", ")}` : ""}`,
  );
}
