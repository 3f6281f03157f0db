import path from "node:path";
import { detectTargets } from "./detect-targets";
import { envRank, GENERIC_DIRS, isWellKnownEnv, LAYOUT_PARENTS, NON_ENV_DIRS, orderEnvironments } from "./env-names";
import { type FileStore, isYamlPath, KUSTOMIZATION_NAMES, resolveRepoPath } from "./file-store";
import { fluxLeaves } from "./flux-wiring";
import { helmfileCellPlans } from "./helmfile";
import { type BuildResult, dirOf, isRemoteRef, type KResource } from "./kustomize-build";
import { type AppPlan, type CellPlan, ENV_PLACEHOLDER_DEFAULT, type LayoutPlan } from "./layout-plan";
import { isObject, type Json, type JsonObject, str } from "./yaml-source";

export const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "Pod",
  "ReplicaSet",
  "ReplicationController",
  "Rollout",
  "HelmRelease",
  "DeploymentConfig",
]);

const CONTROL_GROUPS: [RegExp, string][] = [
  [/kargo\.akuity\.io/, "Kargo"],
  [/argoproj\.io/, "Argo CD"],
  [/toolkit\.fluxcd\.io|extensions\.fluxcd\.io/, "Flux"],
];

const RELEASE_DIRS = new Set(["kubernetes-manifests", "release", "releases", "release-manifests"]);

interface KInfo {
  dir: string;
  file: string;
  kind: string;
  refs: string[];
  /** Patch files it applies (never environments themselves). */
  patchFiles: string[];
}

function base(p: string): string {
  return path.posix.basename(p);
}

/** Reads every kustomization's kind and local references (cheap: no patches applied). */
function kustomizations(store: FileStore): KInfo[] {
  const out: KInfo[] = [];
  for (const p of store.files.keys()) {
    const n = base(p);
    if (!(KUSTOMIZATION_NAMES as readonly string[]).includes(n)) continue;
    const dir = dirOf(p);
    if (store.kustomizationIn(dir) !== p) continue;
    const doc = store.peek(p).docs[0]?.value;
    const k = isObject(doc) ? doc : {};
    const refs: string[] = [];
    for (const field of ["resources", "bases", "components"]) {
      const list = k[field];
      if (!Array.isArray(list)) continue;
      for (const r of list) {
        if (typeof r !== "string" || isRemoteRef(r)) continue;
        const target = resolveRepoPath(dir, r);
        if (target !== undefined) refs.push(target);
      }
    }
    const patchFiles: string[] = [];
    const patchRef = (r: Json | undefined) => {
      const ref = typeof r === "string" ? r : isObject(r) ? str(r.path) : undefined;
      if (ref === undefined || ref.includes("\n") || isRemoteRef(ref)) return;
      const target = resolveRepoPath(dir, ref);
      if (target !== undefined) patchFiles.push(target);
    };
    for (const field of ["patches", "patchesStrategicMerge", "patchesJson6902"]) {
      const list = k[field];
      if (Array.isArray(list)) for (const r of list) patchRef(r);
    }
    out.push({ dir, file: p, kind: str(k.kind) ?? "Kustomization", refs, patchFiles });
  }
  return out;
}

/** The app name a path implies: the nearest directory that is not a generic word (`k8s`, `deploy`, …). */
export function appNameFromPath(root: string): string | undefined {
  const segs = root.split("/").filter(Boolean);
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i] ?? "";
    if (GENERIC_DIRS.has(s.toLowerCase()) || NON_ENV_DIRS.has(s.toLowerCase())) continue;
    if (isWellKnownEnv(s)) continue;
    return s;
  }
  return undefined;
}

interface EnvCandidate {
  env: string;
  dir: string;
  /** Directory holding the per-env directories; candidates sharing it form one group. */
  root: string;
  /** App named by the layout itself (`overlays/<env>/<app>`). */
  app?: string;
  /** A target (cluster, region) of `env`, and the environment's shared directory. */
  target?: string;
  envDir?: string;
}

function workloadsOf(resources: readonly KResource[]): KResource[] {
  return resources.filter((r) => WORKLOAD_KINDS.has(r.kind));
}

function originalName(r: KResource): string {
  return r.previousNames[0] ?? r.name;
}

function controlKind(store: FileStore, p: string): string | undefined {
  const docs = store.peek(p).docs;
  for (const d of docs) {
    if (!isObject(d.value)) continue;
    const api = str(d.value.apiVersion) ?? "";
    for (const [re, label] of CONTROL_GROUPS) if (re.test(api)) return label;
  }
  return undefined;
}

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

/** Kargo Stage objects give the real promotion order (`requestedFreight.sources.stages`). */
function kargoChain(store: FileStore): string[] {
  const upstream = new Map<string, string[]>();
  for (const p of store.files.keys()) {
    if (!isYamlPath(p)) continue;
    const text = store.text(p);
    if (!text?.includes("kargo.akuity.io") || !text.includes("Stage")) continue;
    for (const d of store.peek(p).docs) {
      const v = d.value;
      if (!isObject(v) || v.kind !== "Stage" || !isObject(v.metadata)) continue;
      const name = str(v.metadata.name);
      if (!name) continue;
      const spec = isObject(v.spec) ? v.spec : {};
      const ups: string[] = [];
      for (const rf of Array.isArray(spec.requestedFreight) ? spec.requestedFreight : []) {
        if (isObject(rf) && isObject(rf.sources) && Array.isArray(rf.sources.stages))
          ups.push(...rf.sources.stages.filter((s): s is string => typeof s === "string"));
      }
      upstream.set(name, ups);
    }
  }
  const depth = (n: string, seen: Set<string>): number => {
    if (seen.has(n)) return 0;
    seen.add(n);
    const ups = upstream.get(n) ?? [];
    return ups.length === 0 ? 0 : 1 + Math.max(...ups.map((u) => depth(u, seen)));
  };
  return [...upstream.keys()]
    .map((n, i) => ({ n, d: depth(n, new Set()), i }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.n);
}

export interface DetectDeps {
  store: FileStore;
  build(dir: string): BuildResult;
}

/**
 * Finds environments and apps without a ladder.yaml: Kustomize overlay directories (per-env dirs under
 * `overlays/`, `envs/`, `env/`, `environments/`, or named like an environment), Helm values per env
 * (`values-<env>.yaml`, `<env>/values.yaml`) and rendered release manifests. Everything inferred is
 * written to the report, and Kargo/Argo CD/Flux control objects are listed as ignored.
 */
export function detectLayout(deps: DetectDeps): LayoutPlan {
  const { store } = deps;
  const guessed: string[] = [];
  const ignored: { path: string; reason: string }[] = [];
  const kinfos = kustomizations(store);
  const referenced = new Set(kinfos.flatMap((k) => [...k.refs, ...k.patchFiles]));
  const candidates: EnvCandidate[] = [];
  const targets = detectTargets(kinfos, fluxLeaves(store, deps.build), (dir) => workloadsOf(deps.build(dir).resources));
  guessed.push(...targets.guessed);
  ignored.push(...targets.ignored);
  const claimed = new Set([...targets.candidates.map((c) => c.dir), ...targets.envLeaves.map((e) => e.dir)]);
  for (const c of targets.candidates) {
    candidates.push({ env: c.env, dir: c.dir, root: c.root, target: c.target, envDir: c.envDir });
    if (c.envDir) claimed.add(c.envDir);
  }
  for (const e of targets.envLeaves) candidates.push({ env: e.env, dir: e.dir, root: e.root });
  const underFluxRoot = (dir: string) => [...targets.fluxRoots].some((r) => dir.startsWith(r ? `${r}/` : ""));

  for (const k of kinfos) {
    if (claimed.has(k.dir) || underFluxRoot(k.dir)) continue;
    const name = base(k.dir);
    const parent = dirOf(k.dir);
    const parentName = base(parent);
    const grand = dirOf(parent);
    if (k.kind === "Component") continue;
    if (/^(flux-system|argocd|argo-cd|kargo)$/i.test(name)) {
      ignored.push({ path: k.dir, reason: "GitOps controller bootstrap, not an environment" });
      continue;
    }
    if (NON_ENV_DIRS.has(name.toLowerCase())) continue;
    const underLayoutParent = LAYOUT_PARENTS.has(parentName.toLowerCase());
    if (underLayoutParent) {
      candidates.push({ env: name, dir: k.dir, root: parent });
      continue;
    }
    if (referenced.has(k.dir)) continue;
    if (isWellKnownEnv(name) && k.dir !== "") {
      candidates.push({ env: name, dir: k.dir, root: parent });
      continue;
    }
    // Env-first trees: `overlays/<env>/<app>` or `<env>/<app>` with a well-known env name.
    if (parentName && (LAYOUT_PARENTS.has(base(grand).toLowerCase()) || isWellKnownEnv(parentName))) {
      const b = deps.build(k.dir);
      if (workloadsOf(b.resources).length === 0 && b.remote.length === 0) {
        ignored.push({ path: k.dir, reason: "kustomization in an environment directory deploys no workloads" });
        continue;
      }
      candidates.push({ env: parentName, dir: k.dir, root: grand, app: name });
      continue;
    }
    if (k.dir !== "")
      ignored.push({
        path: k.dir,
        reason: "kustomization outside an environment layout (single variant or not referenced); not an environment",
      });
  }

  // Group overlays by their layout root; one group is one app or one multi-app set.
  const groups = new Map<string, EnvCandidate[]>();
  for (const c of candidates) {
    const key = c.app ? `${c.root}\u0000${c.app}` : c.root;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }

  const apps = new Map<string, AppPlan>();
  const envOrder: string[] = [];
  const addCell = (appName: string, cell: CellPlan, envDir?: string) => {
    let app = apps.get(appName);
    if (!app) {
      app = { name: appName, format: cell.format, cells: new Map() };
      apps.set(appName, app);
    }
    const existing = app.cells.get(cell.env);
    if (cell.target !== undefined) {
      // A target's leaf joins its environment's cell, whose own path is the shared directory.
      const envPlan: CellPlan = existing ?? {
        env: cell.env,
        format: cell.format,
        path: envDir ?? dirOf(cell.path),
        extraPaths: [],
        ownDirs: envDir ? [envDir] : [],
        ...(cell.select ? { select: cell.select } : {}),
        targets: [],
      };
      envPlan.targets = [...(envPlan.targets ?? []), cell].sort((a, b) => (a.target ?? "").localeCompare(b.target ?? ""));
      app.cells.set(cell.env, envPlan);
    } else if (existing) {
      existing.extraPaths.push(cell.path, ...cell.extraPaths);
      if (cell.select && existing.select) existing.select = undefined;
    } else app.cells.set(cell.env, cell);
    envOrder.push(cell.env);
  };
  /** The plan of one candidate's directory (a target's leaf carries its target name). */
  const planOf = (c: EnvCandidate, select?: CellPlan["select"]): CellPlan => ({
    env: c.env,
    format: "kustomize",
    path: c.dir,
    extraPaths: [],
    ownDirs: [c.dir],
    ...(select ? { select } : {}),
    ...(c.target !== undefined ? { target: c.target } : {}),
  });
  /**
   * Targets name no app in their path (`clusters/<target>/…`, `<root>/<env>/<target>`): what they
   * deploy does. One workload, or workloads defined in one directory, is one app; workloads
   * defined in several directories are one app each.
   */
  const targetApps = (list: readonly EnvCandidate[]): { named?: string; perWorkload: boolean } | undefined => {
    if (!list.some((c) => c.target !== undefined)) return undefined;
    const defs = new Set<string>();
    const names = new Set<string>();
    for (const c of list)
      for (const r of workloadsOf(deps.build(c.dir).resources)) {
        defs.add(dirOf(r.file));
        names.add(originalName(r));
      }
    if (names.size === 1) return { named: [...names][0], perWorkload: false };
    if (defs.size === 1)
      return { named: appNameFromPath([...defs][0] ?? "") ?? appNameFromPath(list[0]?.root ?? ""), perWorkload: false };
    return { perWorkload: true };
  };

  for (const [, list] of groups) {
    const first = list[0];
    if (!first) continue;
    const fanOut = targetApps(list);
    const named = fanOut ? fanOut.named : (first.app ?? appNameFromPath(first.root));
    if (named) {
      for (const c of list) addCell(named, planOf(c), c.envDir);
      guessed.push(
        `${first.root}/<env>${first.app ? `/${first.app}` : ""}: Kustomize overlays of app '${named}' (${[...new Set(list.map((c) => c.env))].join(", ")})`,
      );
      continue;
    }
    // No app in the path: name apps after what the overlays deploy.
    const builds = list.map((c) => ({ c, b: deps.build(c.dir) }));
    const byOrigin = new Map<string, Set<string>>();
    const names = new Set<string>();
    for (const { c, b } of builds) {
      for (const r of workloadsOf(b.resources)) {
        names.add(originalName(r));
        if (store.isDir(r.origin) && !r.origin.startsWith(`${c.dir}/`)) {
          const s = byOrigin.get(r.origin) ?? new Set();
          s.add(originalName(r));
          byOrigin.set(r.origin, s);
        }
      }
    }
    const baseNames = [...new Set([...byOrigin.keys()].map(base))];
    if (!fanOut && baseNames.length >= 2 && baseNames.every((n) => !NON_ENV_DIRS.has(n.toLowerCase()))) {
      for (const c of list) {
        for (const origin of byOrigin.keys()) {
          addCell(base(origin), planOf(c, { origins: [origin] }), c.envDir);
        }
      }
      guessed.push(
        `${first.root}/<env>: one app per shared base (${baseNames.join(", ")}), environments ${list.map((c) => c.env).join(", ")}`,
      );
    } else if (names.size === 1) {
      const only = [...names][0] ?? "app";
      for (const c of list) addCell(only, planOf(c), c.envDir);
      guessed.push(
        `${first.root || "."}/<env>: single app named after its only workload '${only}' (${list.map((c) => c.env).join(", ")})`,
      );
    } else if (names.size > 1) {
      for (const c of list) for (const n of names) addCell(n, planOf(c, { workloads: [n] }), c.envDir);
      guessed.push(`${first.root || "."}/<env>: one app per workload (${[...names].join(", ")})`);
    } else {
      const fallback = appNameFromPath(first.root) ?? "app";
      for (const c of list) addCell(fallback, planOf(c), c.envDir);
      guessed.push(`${first.root || "."}/<env>: overlays with no local workloads, app '${fallback}'`);
    }
  }

  // helmfile says which values files make which environment: read it before guessing from names.
  const helmfile = helmfileCellPlans(store);
  for (const c of helmfile.cells) {
    const x = helmfile.extras.get(`${c.app}\u0000${c.env}`);
    const plan: CellPlan =
      x && c.plan.helm
        ? { ...c.plan, helm: { ...c.plan.helm, compositions: x.compositions, layers: x.releases[0]?.layers ?? [] } }
        : c.plan;
    addCell(c.app, plan);
  }
  guessed.push(...helmfile.guessed);
  const helmfileDirs = new Set(helmfile.cells.map((c) => dirOf(c.plan.path)));
  detectHelm(store, addCell, guessed, ignored, (file) => helmfile.claimedFiles.has(file) || helmfileDirs.has(dirOf(file)));
  detectPlainManifests(store, referenced, addCell, guessed, ignored);

  // Control objects in env-named directories are not environments (Flux clusters/<env>, Kargo stages, Argo apps).
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

  foldVariants(apps, guessed);
  const envs = orderEnvironments(
    [...apps.values()].flatMap((a) => [...a.cells.keys()]).sort((a, b) => envOrder.indexOf(a) - envOrder.indexOf(b)),
    kargoChain(store),
  );
  if (envs.length > 0)
    guessed.push(
      `environment order: ${envs.join(" < ")} (${envs.some((e) => envRank(e) === undefined) ? "unknown names last" : "by well-known names"})`,
    );
  return {
    environments: envs,
    apps: [...apps.values()],
    report: { source: "detected", ladderYaml: { state: "missing" }, guessed, ignored },
  };
}

/**
 * Overlays such as `init-db-staging` or `production-fwi-ingress` exist for only some apps and carry an
 * environment's name as prefix or suffix: they are variants of that environment, folded into its cell.
 */
function foldVariants(apps: Map<string, AppPlan>, guessed: string[]): void {
  const count = new Map<string, number>();
  for (const a of apps.values()) for (const e of a.cells.keys()) count.set(e, (count.get(e) ?? 0) + 1);
  const envs = [...count.keys()];
  const folds = new Map<string, string>();
  for (const v of envs) {
    const candidates = envs.filter(
      (e) => e !== v && (v.startsWith(`${e}-`) || v.endsWith(`-${e}`)) && (count.get(e) ?? 0) > (count.get(v) ?? 0),
    );
    // The longest matching name is the closest environment (`production-fwi-ingress` → `production-fwi`).
    const target = candidates.sort((a, b) => b.length - a.length)[0];
    if (target) folds.set(v, target);
  }
  for (const [v, e] of folds) {
    let folded = 0;
    for (const a of apps.values()) {
      const cell = a.cells.get(v);
      if (!cell) continue;
      const into = a.cells.get(e);
      if (into) {
        into.extraPaths.push(cell.path);
        into.ownDirs.push(...cell.ownDirs);
      } else a.cells.set(e, { ...cell, env: e });
      a.cells.delete(v);
      folded++;
    }
    if (folded) guessed.push(`'${v}' folded into '${e}' (a variant present for ${folded} app(s), named after '${e}')`);
  }
}

function detectHelm(
  store: FileStore,
  addCell: (app: string, cell: CellPlan) => void,
  guessed: string[],
  ignored: { path: string; reason: string }[],
  claimed: (file: string) => boolean,
): void {
  const charts = [...store.files.keys()].filter((p) => base(p) === "Chart.yaml").map(dirOf);
  const argo = argoHelmSources(store);
  // values-<env>.yaml beside a values.yaml (in a chart, the plain values.yaml is the 'default' release).
  const byDir = new Map<string, string[]>();
  for (const p of store.files.keys()) {
    const m = /^values[-.]([A-Za-z0-9][A-Za-z0-9_-]*)\.ya?ml$/.exec(base(p));
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
      const env = /^values[-.]([A-Za-z0-9][A-Za-z0-9_-]*)\.ya?ml$/.exec(base(f))?.[1];
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
    if (!/^values\.ya?ml$/.test(base(p))) continue;
    const d = dirOf(p);
    if (store.kustomizationIn(d) || store.isFile(d ? `${d}/Chart.yaml` : "Chart.yaml")) continue;
    const env = base(d);
    const parent = dirOf(d);
    if (!d || NON_ENV_DIRS.has(env.toLowerCase())) continue;
    if (!LAYOUT_PARENTS.has(base(parent).toLowerCase()) && !isWellKnownEnv(env)) continue;
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
    if (perApp.size > 0)
      for (const [name, keys] of perApp) {
        names.add(name);
        addCell(name, {
          env,
          format: "helm",
          path: file,
          extraPaths: [],
          ownDirs: [],
          helm: { valueFiles, ownValueFiles: [file], tagKeys: [...new Set(keys)] },
        });
      }
    else {
      const name = appNameFromPath(root) ?? "app";
      names.add(name);
      addCell(name, {
        env,
        format: "helm",
        path: file,
        extraPaths: [],
        ownDirs: [],
        helm: { valueFiles, ownValueFiles: [file] },
      });
    }
    for (const other of store.filesUnder(dir)) {
      if (dirOf(other) !== dir || other === file || !/\.ya?ml$/.test(other)) continue;
      const name = base(other)
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

/** Rendered manifests (`kubernetes-manifests/`, `release/`) and env-named dirs of plain manifests. */
function detectPlainManifests(
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
    const name = base(d);
    const parentName = base(dirOf(d));
    const isRelease = RELEASE_DIRS.has(name.toLowerCase());
    const isEnvDir =
      !isRelease &&
      (LAYOUT_PARENTS.has(parentName.toLowerCase()) || isWellKnownEnv(name)) &&
      !NON_ENV_DIRS.has(name.toLowerCase());
    if (!isRelease && !isEnvDir) continue;
    if (files.some((f) => referenced.has(f))) continue;
    if (files.every((f) => /^values[-.]?/.test(base(f)))) continue;
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
