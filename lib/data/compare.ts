import "server-only";
import { createHash } from "node:crypto";
import { cellAt, columnsOf } from "../gitops/columns";
import type { EnvironmentDiff } from "../gitops/overlay-diff";
import { diffEnvironments } from "../gitops/overlay-diff";
import { findRenderer, renderOverlay } from "../gitops/rendered";
import { scanContext } from "../gitops/scan";
import { findByName } from "../util/find-by-name";
import { PromiseCache } from "../util/promise-cache";
import { getRepository } from "./repository-view";

export interface ComparedFile {
  name: string;
  fromPath?: string;
  toPath?: string;
  status: "same" | "changed" | "only-from" | "only-to";
  fromText: string;
  toText: string;
}

export interface Comparison {
  app: string;
  from: string;
  to: string;
  /** Environments the app is deployed in, in ladder order (for the pickers). */
  environments: string[];
  commit: string;
  diff: EnvironmentDiff;
  files: ComparedFile[];
}

export class UnknownAppError extends Error {
  constructor(readonly app: string) {
    super(`No app named "${app}" in this repository.`);
    this.name = "UnknownAppError";
  }
}

export class UnknownEnvironmentError extends Error {
  constructor(
    readonly app: string,
    readonly env: string,
  ) {
    super(`${app} is not deployed in an environment named "${env}".`);
    this.name = "UnknownEnvironmentError";
  }
}

const diffCache = new PromiseCache<string, EnvironmentDiff>(2_000);

export type View = Awaited<ReturnType<ReturnType<typeof getRepository>["current"]>>;

const blobIndex = new WeakMap<object, Map<string, string>>();

/** path → blob SHA of a snapshot, built once per snapshot. */
function blobsOf(view: View): Map<string, string> {
  let index = blobIndex.get(view.snapshot);
  if (!index) {
    index = new Map(view.snapshot.files().map((f) => [f.path, f.sha]));
    blobIndex.set(view.snapshot, index);
  }
  return index;
}

/**
 * The content address of a comparison: the blob SHAs of every file either
 * cell reads, and of ladder.yaml (its policy classifies the differences).
 * A new commit that leaves those files alone reuses the answer, so after a
 * one-file promotion only the pairs that read that file are diffed again.
 */
export function diffKey(view: View, app: string, from: string, to: string): string {
  const appResult = findByName(view.scan.apps, app);
  const cells = appResult?.environments;
  const blobs = blobsOf(view);
  const files = new Set<string>(["ladder.yaml"]);
  for (const column of [from, to]) {
    const cell = cellAt(appResult, column);
    for (const f of [...(cell?.ownFiles ?? []), ...(cell?.sharedFiles ?? [])]) files.add(f);
  }
  const hash = createHash("sha256");
  hash.update(`${app}\0${from}\0${to}\0${cells ? "" : view.snapshot.commit}`);
  for (const f of [...files].sort()) hash.update(`\0${f}:${blobs.get(f) ?? "-"}`);
  return hash.digest("hex");
}

/** diffEnvironments, cached by the content of the files it reads (see diffKey). */
export function cachedDiff(view: View, app: string, from: string, to: string): Promise<EnvironmentDiff> {
  return diffCache.get(diffKey(view, app, from, to), () => diffEnvironments(view.snapshot, view.scan, app, from, to));
}

/**
 * What an app can be compared across, in ladder order: each environment it is deployed in, and
 * each target of one that fans out (`production/prod-eu-1`); null when there is no such app.
 */
export async function getAppEnvironments(app: string): Promise<string[] | null> {
  const view = await getRepository().current();
  const appResult = findByName(view.scan.apps, app);
  return appResult ? columnsOf(appResult, view.scan.environments) : null;
}

/** Two environments of an app side by side; throws Unknown…Error for names not in the repository. */
export async function getComparison(app: string, from: string, to: string): Promise<Comparison> {
  const view = await getRepository().current();
  const appResult = findByName(view.scan.apps, app);
  if (!appResult) throw new UnknownAppError(app);
  const environments = columnsOf(appResult, view.scan.environments);
  for (const env of [from, to]) if (!cellAt(appResult, env)) throw new UnknownEnvironmentError(app, env);
  const diff = await cachedDiff(view, app, from, to);
  const files = await Promise.all(
    diff.files.map(
      async (f): Promise<ComparedFile> => ({
        name: f.name,
        fromPath: f.fromPath,
        toPath: f.toPath,
        status: f.status,
        fromText: f.fromPath ? ((await view.snapshot.read(f.fromPath)) ?? "") : "",
        toText: f.toPath ? ((await view.snapshot.read(f.toPath)) ?? "") : "",
      }),
    ),
  );
  return { app, from, to, environments, commit: view.snapshot.commit, diff, files };
}

export type RenderedSide = { ok: true; output: string } | { ok: false; reason: string };
export type RenderedPair = { available: false; reason: string } | { available: true; from: RenderedSide; to: RenderedSide };

let rendererLookup: ReturnType<typeof findRenderer> | undefined;
const renderedCache = new PromiseCache<string, RenderedPair>(200);

/**
 * Both environments rendered by kustomize (or `kubectl kustomize`) on demand,
 * in private temporary copies, never fetching remote bases. Cached by commit.
 */
export function getRenderedPair(app: string, from: string, to: string): Promise<RenderedPair> {
  return getRepository()
    .current()
    .then((view) => {
      return renderedCache.get(`${view.snapshot.commit}|${app}|${from}|${to}`, () => renderPair(view, app, from, to));
    });
}

async function renderPair(view: View, app: string, from: string, to: string): Promise<RenderedPair> {
  const appResult = findByName(view.scan.apps, app);
  if (!appResult) throw new UnknownAppError(app);
  if (appResult.format !== "kustomize") {
    return { available: false, reason: `${app} is a ${appResult.format} app; Ladder renders Kustomize overlays only.` };
  }
  rendererLookup ??= findRenderer();
  const renderer = await rendererLookup;
  if (!renderer) return { available: false, reason: "Neither kustomize nor kubectl is installed on Ladder's server." };
  const ctx = scanContext(view.scan);
  if (!ctx) return { available: false, reason: "The scan behind this view is no longer in memory; reload the page." };
  const render = async (env: string): Promise<RenderedSide> => {
    const cell = cellAt(appResult, env);
    if (!cell) throw new UnknownEnvironmentError(app, env);
    // An environment that fans out has no single render: each target is its own build.
    if ("targets" in cell && cell.targets)
      return { ok: false, reason: `${env} fans out to targets: compare one of them (${env}/<target>)` };
    return renderOverlay(ctx, cell.path, renderer, 20_000);
  };
  const [a, b] = await Promise.all([render(from), render(to)]);
  return { available: true, from: a, to: b };
}
