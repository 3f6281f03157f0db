/**
 * Argo CD Applications and ApplicationSets say which path deploys where: read them before guessing
 * from directory names. A static Application, or one an ApplicationSet's `list` or git `directories`
 * generator makes, whose source is a directory of this repository (a chart, a kustomization, plain
 * manifests) or a chart elsewhere with `$ref` value files here, is one app × environment cell.
 * Helm value files keep Argo CD's order: the chart's values.yaml, then `helm.valueFiles` (relative
 * to the source path, `/…` and `$<ref>/…` from the repository root). Only cells whose files exist
 * and whose names are clean are kept; everything else is left to the guessing detectors.
 */
import { RE2JS } from "re2js";
import { appNameFromPath } from "./app-names";
import { isWellKnownEnv, orderEnvironments } from "./env-names";
import { baseOf, dirOf, type FileStore, isYamlPath, resolveRepoPath } from "./file-store";
import type { CellPlan } from "./layout-plan";
import type { ScanWarning } from "./types";
import { getPos, isObject, type Json, type JsonObject, str } from "./yaml-source";

export interface ArgoCells {
  cells: { app: string; env: string; plan: CellPlan }[];
  guessed: string[];
  ignored: { path: string; reason: string }[];
  /** Value files and directories the cells read: the guessing detectors leave them alone. */
  claimedFiles: Set<string>;
  claimedDirs: Set<string>;
  warnings: ScanWarning[];
}

/** One Application, as written or as a generator expands it. */
interface ArgoApp {
  file: string;
  line: number;
  spec: JsonObject;
  name: string;
  labels: JsonObject;
  /** The generator parameter the name is made of (`kargo-helm-{{path.basename}}`): the environment. */
  nameParam?: string;
}

const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const clean = (p: string) => p.replace(/^\.?\/+/, "").replace(/\/+$/, "");

/** Replaces `{{path.basename}}`, `{{ .path.basename }}`, `{{env}}` with the generator's parameters. */
function substitute(v: Json, params: Record<string, string>): Json {
  if (typeof v === "string") return v.replace(/\{\{-?\s*\.?([A-Za-z0-9_.[\]]+)\s*-?\}\}/g, (m, k: string) => params[k] ?? m);
  if (Array.isArray(v)) return v.map((x) => substitute(x, params));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, params)]));
  return v;
}

/** Directories a git generator's `path` glob matches (`envs/*`, `apps/*\/overlays/*`). */
function globDirs(store: FileStore, pattern: string): string[] {
  // RE2 (linear time): the glob comes from the repository, and many `*` backtrack under RegExp.
  const re = RE2JS.compile(
    `^${clean(pattern)
      .split("/")
      .map((s) =>
        s
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*\*/g, "§")
          .replace(/\*/g, "[^/]*")
          .replace(/§/g, ".*"),
      )
      .join("/")}$`,
  );
  return [...store.dirs].filter((d) => d && re.matcher(d).matches()).sort();
}

function parameterSets(
  store: FileStore,
  gen: JsonObject,
  note: (reason: string) => void,
  excludedDirs: Set<string>,
): Record<string, string>[] {
  if (isObject(gen.list)) {
    return (Array.isArray(gen.list.elements) ? gen.list.elements : []).filter(isObject).map((e) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(e)) if (typeof v === "string" || typeof v === "number") out[k] = String(v);
      return out;
    });
  }
  if (isObject(gen.git) && Array.isArray(gen.git.directories)) {
    const dirs = gen.git.directories.filter(isObject);
    const excluded = new Set(dirs.filter((d) => d.exclude === true).flatMap((d) => globDirs(store, str(d.path) ?? "")));
    for (const d of excluded) excludedDirs.add(d);
    return dirs
      .filter((d) => d.exclude !== true)
      .flatMap((d) => globDirs(store, str(d.path) ?? ""))
      .filter((d) => !excluded.has(d))
      .map((d) => {
        const segs = d.split("/");
        const params: Record<string, string> = { path: d, "path.path": d, "path.basename": baseOf(d) };
        params["path.basenameNormalized"] = baseOf(d)
          .replace(/[^a-zA-Z0-9-]/g, "-")
          .toLowerCase();
        segs.forEach((s, i) => {
          params[`path[${i}]`] = s;
          params[`path.segments[${i}]`] = s;
        });
        return params;
      });
  }
  note(`${Object.keys(gen)[0] ?? "unknown"} generator not read (only list and git directories are)`);
  return [];
}

/** The Applications a file declares, ApplicationSets expanded. */
function applicationsIn(store: FileStore, file: string, ignored: ArgoCells["ignored"], excluded: Set<string>): ArgoApp[] {
  const out: ArgoApp[] = [];
  for (const d of store.peek(file).docs) {
    const v = d.value;
    if (!isObject(v) || !/^argoproj\.io\//.test(str(v.apiVersion) ?? "") || !isObject(v.spec)) continue;
    const meta = isObject(v.metadata) ? v.metadata : {};
    if (v.kind === "Application") {
      const labels = isObject(meta.labels) ? meta.labels : {};
      out.push({ file, line: d.line, spec: v.spec, name: str(meta.name) ?? "", labels });
    } else if (v.kind === "ApplicationSet" && isObject(v.spec.template)) {
      const template = v.spec.template;
      const tmeta = isObject(template.metadata) ? template.metadata : {};
      const nameTpl = str(tmeta.name) ?? "";
      const note = (reason: string) =>
        ignored.push({ path: file, reason: `Argo CD ApplicationSet ${str(meta.name)}: ${reason}` });
      for (const gen of (Array.isArray(v.spec.generators) ? v.spec.generators : []).filter(isObject))
        for (const params of parameterSets(store, gen, note, excluded)) {
          const t = substitute(template, params);
          if (!isObject(t) || !isObject(t.spec)) continue;
          const m = isObject(t.metadata) ? t.metadata : {};
          const only = /^(?:[^{]*?)\{\{-?\s*\.?([A-Za-z0-9_.[\]]+)\s*-?\}\}(?:[^{]*)$/.exec(nameTpl)?.[1];
          out.push({
            file,
            line: d.line,
            spec: t.spec,
            name: str(m.name) ?? "",
            labels: isObject(m.labels) ? m.labels : {},
            ...(only && params[only] ? { nameParam: params[only] } : {}),
          });
        }
    }
  }
  return out;
}

/** Where an Application names its environment, in order: labels, destination, its name, its path. */
function envAndApp(a: ArgoApp, paths: string[]): { env: string; app: string } | undefined {
  const name = a.name;
  const strip = (env: string) =>
    name.endsWith(`-${env}`) ? name.slice(0, -env.length - 1) : name.startsWith(`${env}-`) ? name.slice(env.length + 1) : name;
  const label = ["env", "environment", "stage"].map((k) => str(a.labels[k])).find(Boolean);
  if (label) return { env: label, app: strip(label) };
  if (a.nameParam && name !== a.nameParam && strip(a.nameParam) !== name) return { env: a.nameParam, app: strip(a.nameParam) };
  const dest = isObject(a.spec.destination) ? a.spec.destination : {};
  const host = (str(dest.server) ?? "").replace(/^https?:\/\//, "").split(/[.:/]/)[0] ?? "";
  const ns = str(dest.namespace) ?? "";
  const fromDest = [ns, str(dest.name) ?? "", host]
    .flatMap((n) => [n, n.split("-").pop() ?? ""])
    .find((n) => n && isWellKnownEnv(n) && !/^(in-cluster|default)$/.test(n));
  if (fromDest) return { env: fromDest, app: strip(fromDest) };
  const parts = name.split("-");
  for (let i = 1; i < parts.length; i++) {
    const suffix = parts.slice(i).join("-");
    const prefix = parts.slice(0, parts.length - i).join("-");
    if (isWellKnownEnv(suffix) && !isWellKnownEnv(parts[0] ?? "")) return { env: suffix, app: strip(suffix) };
    if (isWellKnownEnv(prefix)) return { env: prefix, app: strip(prefix) };
  }
  const seg = paths.flatMap((p) => p.split("/")).find((s) => isWellKnownEnv(s));
  return seg ? { env: seg, app: name } : undefined;
}

interface Draft {
  app: string;
  env: string;
  plan: CellPlan;
  files: string[];
  file: string;
}

/** One Application's cell: its first source that deploys from this repository. */
function draftOf(store: FileStore, a: ArgoApp, warnings: ScanWarning[]): Draft | undefined {
  const sources = (Array.isArray(a.spec.sources) ? a.spec.sources : [a.spec.source]).filter(isObject);
  const refs = new Set(sources.map((s) => str(s.ref)).filter((r): r is string => !!r));
  for (const s of sources) {
    const path = str(s.path) !== undefined ? clean(str(s.path) ?? "") : undefined;
    const helm = isObject(s.helm) ? s.helm : undefined;
    const chartHere = path !== undefined && store.isFile(path ? `${path}/Chart.yaml` : "Chart.yaml");
    if ((path === undefined && !str(s.chart)) || (str(s.ref) && !helm && !str(s.chart))) continue;
    if (!chartHere && !helm && !str(s.chart)) {
      if (path === undefined || !store.isDir(path)) continue;
      const files = store.filesUnder(path).filter((f) => dirOf(f) === path && isYamlPath(f));
      // An app of apps deploys Applications: they are read here, not as the manifests of an app.
      if (files.some((f) => /argoproj\.io/.test(store.text(f) ?? ""))) continue;
      const found = envAndApp(a, [path]);
      if (!found) continue;
      const k = store.kustomizationIn(path);
      const kz = isObject(s.kustomize) ? s.kustomize : undefined;
      if (kz && Array.isArray(kz.images))
        warnings.push({
          file: a.file,
          line: getPos(kz, "images")?.line ?? a.line,
          message: `Argo CD Application ${a.name}: kustomize.images overrides not read; the images shown are the kustomization's`,
          code: "argo-inline-values",
        });
      const plan: CellPlan = k
        ? { env: found.env, format: "kustomize", path, extraPaths: [], ownDirs: [path] }
        : { env: found.env, format: "manifests", path, extraPaths: [], ownDirs: [path], manifests: { files } };
      if (!k && files.length === 0) continue;
      const app = found.app && found.app !== found.env ? found.app : (appNameFromPath(path) ?? "");
      return { app, env: found.env, plan, files: [path], file: a.file };
    }
    const valueFiles = strings(helm?.valueFiles)
      .map((v) => {
        const ref = /^\$([^/]+)\/(.*)$/.exec(v);
        if (ref) return ref[1] && refs.has(ref[1]) ? resolveRepoPath("", ref[2] ?? "") : undefined;
        return v.startsWith("/") ? resolveRepoPath("", v.slice(1)) : path !== undefined ? resolveRepoPath(path, v) : undefined;
      })
      .filter((f): f is string => f !== undefined && store.isFile(f));
    const chartDir = chartHere ? path : undefined;
    const chartValues = chartDir !== undefined ? [`${chartDir}/values.yaml`].filter((f) => store.isFile(f)) : [];
    const own = valueFiles.filter((f) => !chartValues.includes(f));
    if (own.length === 0) continue;
    const found = envAndApp(a, own);
    if (!found) continue;
    const inline = helm && ["values", "valuesObject", "parameters"].find((k) => helm[k] !== undefined);
    if (helm && inline)
      warnings.push({
        file: a.file,
        line: getPos(helm, inline)?.line ?? a.line,
        message: `Argo CD Application ${a.name}: inline values not read (helm.${inline}); images it sets are not shown`,
        code: "argo-inline-values",
      });
    const project = str(a.spec.project);
    const chartName =
      chartDir !== undefined ? str((store.peek(`${chartDir}/Chart.yaml`).docs[0]?.value as JsonObject)?.name) : undefined;
    // An Application named after its project (`kargo-helm-dev` in project kargo-helm) names the project: the chart names the app.
    const named = found.app && found.app !== found.env ? found.app : (chartName ?? appNameFromPath(path ?? "") ?? "");
    const app = named === project && chartName ? chartName : named;
    const plan: CellPlan = {
      env: found.env,
      format: "helm",
      path: own[0] ?? "",
      extraPaths: [],
      ownDirs: [],
      helm: { ...(chartDir !== undefined ? { chartDir } : {}), valueFiles: [...chartValues, ...valueFiles], ownValueFiles: own },
    };
    return { app, env: found.env, plan, files: own, file: a.file };
  }
  return undefined;
}

/** Cells the repository's Argo CD Applications and ApplicationSets name. */
export function argoCellPlans(store: FileStore): ArgoCells {
  const out: ArgoCells = { cells: [], guessed: [], ignored: [], claimedFiles: new Set(), claimedDirs: new Set(), warnings: [] };
  const drafts: Draft[] = [];
  const seen = new Set<string>();
  const excluded = new Set<string>();
  for (const file of [...store.files.keys()].sort()) {
    // Chart templates are Go templates that render Applications; they are not Applications in the repository.
    if (!isYamlPath(file) || /(^|\/)templates\//.test(file) || !store.text(file)?.includes("argoproj.io")) continue;
    const warnings: ScanWarning[] = [];
    for (const a of applicationsIn(store, file, out.ignored, excluded)) {
      const d = draftOf(store, a, warnings);
      if (!d?.app || /[{}]/.test(d.app + d.env) || isWellKnownEnv(d.app) || seen.has(`${d.app}\u0000${d.env}`)) continue;
      seen.add(`${d.app}\u0000${d.env}`);
      drafts.push(d);
    }
    out.warnings.push(...warnings);
  }
  for (const d of drafts) {
    const elsewhere = new Set(drafts.filter((o) => o.app === d.app && o.env !== d.env).flatMap((o) => o.files));
    if (d.plan.helm) {
      const own = d.plan.helm.ownValueFiles.filter((f) => !elsewhere.has(f));
      d.plan.helm.ownValueFiles = own;
      d.plan.path = own[0] ?? d.plan.path;
      d.plan.ownDirs = [...new Set(own.map(dirOf))].filter((dir) => ![...elsewhere].some((f) => dirOf(f) === dir));
      for (const f of d.plan.helm.valueFiles) out.claimedFiles.add(f);
      for (const dir of d.plan.ownDirs) out.claimedDirs.add(dir);
    } else {
      out.claimedDirs.add(d.plan.path);
      for (const f of d.plan.manifests?.files ?? []) out.claimedFiles.add(f);
    }
    out.cells.push({ app: d.app, env: d.env, plan: d.plan });
  }
  // A directory an ApplicationSet excludes is not deployed: no guessing detector makes it an environment.
  for (const dir of excluded) {
    out.claimedDirs.add(dir);
    out.ignored.push({ path: dir, reason: "excluded by an Argo CD ApplicationSet's git directories generator" });
  }
  for (const file of [...new Set(drafts.map((d) => d.file))]) {
    const byApp = new Map<string, string[]>();
    for (const d of drafts.filter((x) => x.file === file)) byApp.set(d.app, [...(byApp.get(d.app) ?? []), d.env]);
    out.guessed.push(
      `${file}: Argo CD Applications name what deploys where (${[...byApp].map(([app, envs]) => `${app}: ${orderEnvironments(envs).join(", ")}`).join("; ")})`,
    );
  }
  return out;
}
