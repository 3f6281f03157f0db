/**
 * The layout of a repository without a ladder.yaml. Each detector adds cells to one set of apps:
 * Kustomize overlays (detect-kustomize.ts), helmfile releases (helmfile.ts), Helm values
 * (detect-helm.ts), plain manifests (detect-manifests.ts). Then control objects are reported
 * (control-objects.ts), variants fold into their environment (fold-variants.ts) and environments
 * are ordered, by Kargo's stages when there are any (kargo-chain.ts).
 */
import { argoCellPlans } from "./argo-apps";
import { reportControlObjects } from "./control-objects";
import { detectHelm } from "./detect-helm";
import { detectKustomize } from "./detect-kustomize";
import { detectPlainManifests } from "./detect-manifests";
import { envRank, orderEnvironments } from "./env-names";
import { dirOf, type FileStore } from "./file-store";
import { foldVariants } from "./fold-variants";
import { helmfileCellPlans } from "./helmfile";
import { kargoChain } from "./kargo-chain";
import { kustomizations } from "./kustomization-index";
import type { BuildResult } from "./kustomize-resource";
import type { AppPlan, CellPlan, LayoutPlan } from "./layout-plan";
import type { ScanWarning } from "./types";

export interface DetectDeps {
  store: FileStore;
  build(dir: string): BuildResult;
}

/**
 * Finds environments and apps without a ladder.yaml: Kustomize overlay directories (per-env dirs under
 * `overlays/`, `envs/`, `env/`, `environments/`, or named like an environment), Helm values per env
 * (`values-<env>.yaml`, `<env>/values.yaml`) and rendered release manifests. Everything inferred is
 * written to the report, and Kargo/Argo CD/Flux control objects are listed as ignored. Argo CD
 * Applications that name a path of the repository come first (argo-apps.ts): they are not guesses.
 */
export function detectLayout(deps: DetectDeps): LayoutPlan {
  const { store } = deps;
  const guessed: string[] = [];
  const ignored: { path: string; reason: string }[] = [];
  /** What Ladder could not place: each names its path; the cells it would affect are not guessed. */
  const warnings: ScanWarning[] = [];
  const kinfos = kustomizations(store);
  const referenced = new Set(kinfos.flatMap((k) => [...k.refs, ...k.patchFiles]));

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
  // Argo CD Applications name which path deploys where: read them before guessing from names.
  const argo = argoCellPlans(store);
  for (const c of argo.cells) addCell(c.app, c.plan);
  guessed.push(...argo.guessed);
  ignored.push(...argo.ignored);
  const argoClaims = (p: string) => argo.claimedDirs.has(p) || argo.claimedFiles.has(p);
  detectKustomize(deps, kinfos, referenced, addCell, guessed, ignored, warnings, argoClaims);

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
  detectHelm(
    store,
    addCell,
    guessed,
    ignored,
    (file) => helmfile.claimedFiles.has(file) || helmfileDirs.has(dirOf(file)) || argoClaims(file),
    argoClaims,
  );
  detectPlainManifests(store, new Set([...referenced, ...argo.claimedFiles]), addCell, guessed, ignored);

  // Control objects in env-named directories are not environments (Flux clusters/<env>, Kargo stages, Argo apps).
  reportControlObjects(store, apps, ignored);

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
    warnings: [...warnings, ...argo.warnings, ...helmfile.warnings],
  };
}
