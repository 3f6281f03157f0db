/**
 * Plans a promotion's file change for an artifact that is not an image: a chart version (a Flux
 * HelmRelease's `spec.chart.spec.version`, a Chart.yaml dependency's `version`) or a remote base's
 * ref (`?ref=` / `?version=` inside its `resources:` entry). Like `planDigestEdit`: only the
 * environment's own file changes, at the line the scan says sets the version; every other byte
 * stays; the edited tree is re-resolved and the plan refused unless the environment then runs
 * exactly the requested version.
 */
import { createTwoFilesPatch } from "diff";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { RepoSnapshot } from "../snapshot/types";
import type { CellPlan } from "./layout-plan";
import { EditPlanError, pathAtLine, reResolve } from "./plan-edit";
import { type ScanContext, scanContext, scanRepository } from "./scan";
import type { Artifact, Cell, ScanResult } from "./types";
import { editYaml, type YamlChange, type YamlPath } from "./yaml-edit";

export type ArtifactKind = Artifact["kind"];

export interface ArtifactEditRequest {
  app: string;
  env: string;
  kind: ArtifactKind;
  /** The chart's name, or the remote base's URL without its query (as the scan reports it). */
  name: string;
  /** The one version (or ref) the environment should run. */
  version: string;
}

export interface ArtifactEditPlan {
  /** The one file that changes: always one of the environment's own files. */
  path: string;
  before: string;
  after: string;
  unifiedDiff: string;
  /** What the environment ran before, and will run after. */
  from: Artifact;
  to: { kind: ArtifactKind; name: string; version: string };
  /** False when the edit could not be kept to the version's line and the file was re-serialised. */
  minimal: boolean;
  /** The change in words: "set spec.chart.spec.version in …", "set ?ref= of resources entry 0 in …". */
  description: string;
}

/** `chart podinfo`, `remote base https://github.com/acme/platform//base/api`. */
export function artifactLabel(a: { kind: ArtifactKind; name: string }): string {
  return `${a.kind === "chart" ? "chart" : "remote base"} ${a.name}`;
}

function isOwnFile(cell: Cell, plan: CellPlan, file: string): boolean {
  return (
    cell.ownFiles.includes(file) ||
    plan.ownDirs.some((d) => file.startsWith(`${d}/`)) ||
    (plan.helm?.ownValueFiles ?? []).includes(file)
  );
}

/** A Chart.yaml is the environment's own when its chart directory serves no other environment of the app. */
function isOwnChart(ctx: ScanContext, app: string, plan: CellPlan, file: string): boolean {
  const dir = plan.helm?.chartDir;
  if (dir === undefined || file !== (dir ? `${dir}/Chart.yaml` : "Chart.yaml")) return false;
  const cells = ctx.plan.apps.find((a) => a.name === app)?.cells;
  return [...(cells?.values() ?? [])].every((c) => c === plan || c.helm?.chartDir !== dir);
}

/** The artifact the environment itself sets: among several, the one in its own files (a fan-out's shared directory). */
function findArtifact(cell: Cell, plan: CellPlan, req: ArtifactEditRequest): Artifact {
  const matches = (cell.artifacts ?? []).filter((a) => a.kind === req.kind && a.name === req.name);
  const label = artifactLabel(req);
  if (matches.length === 0) {
    const found = (cell.artifacts ?? []).map((a) => artifactLabel(a)).join(", ") || "none";
    throw new EditPlanError(`${label} is not deployed in ${req.env} (found: ${found})`);
  }
  if (matches.length === 1) return matches[0] as Artifact;
  const targetDirs = Object.values(cell.targets ?? {}).map((t) => `${t.path}/`);
  const own = matches.filter((a) => isOwnFile(cell, plan, a.source.file) && !targetDirs.some((d) => a.source.file.startsWith(d)));
  const first = own[0];
  if (own.length === 1 && first) return first;
  throw new EditPlanError(
    `${label} is set in several places in ${req.env} (${matches.map((a) => `${a.source.file}:${a.source.line}`).join(", ")}); no single edit promotes it`,
  );
}

function validVersion(req: ArtifactEditRequest): void {
  const v = req.version;
  if (v.length === 0 || v.length > 200 || /\s/.test(v)) throw new EditPlanError(`not a version: '${v}'`);
  // A ref is spliced into a URL's query: it must not end the parameter or the URL.
  if (req.kind === "remote-base" && /[&#?=%]/.test(v)) throw new EditPlanError(`not a ref: '${v}'`);
}

interface ChosenChange {
  change: YamlChange;
  docIndex: number;
  description: string;
}

/** A chart version: the `version:` key on the artifact's line (HelmRelease chart spec, Chart.yaml dependency). */
function chartChange(text: string, artifact: Artifact, version: string): ChosenChange {
  const file = artifact.source.file;
  let at = pathAtLine(text, artifact.source.line, "version");
  if (!at && artifact.version === null) {
    // No version at all (the newest is installed): the scan points at `chart:`; the version goes beside it.
    const chart = pathAtLine(text, artifact.source.line, "chart") ?? pathAtLine(text, artifact.source.line, "name");
    if (chart) at = { docIndex: chart.docIndex, path: [...chart.path.slice(0, -1), "version"] };
  }
  if (!at) throw new EditPlanError(`version of chart ${artifact.name} not found at ${file}:${artifact.source.line}`);
  return {
    change: { op: "set", path: at.path, value: version },
    docIndex: at.docIndex,
    description: `set ${at.path.join(".")} in ${file}`,
  };
}

/** The URL with its ref replaced (the parameter the scan reads: `ref`, else `version`), every other byte kept. */
export function withRef(url: string, ref: string): string {
  const q = url.indexOf("?");
  if (q < 0) return `${url}?ref=${ref}`;
  const query = url.slice(q + 1);
  const params = new URLSearchParams(query);
  const key = params.has("ref") ? "ref" : params.has("version") ? "version" : undefined;
  if (!key) return `${url}${query === "" ? "" : "&"}ref=${ref}`;
  const re = new RegExp(`(^|&)(${key}=)[^&#]*`);
  return `${url.slice(0, q + 1)}${query.replace(re, (_m, sep: string, k: string) => `${sep}${k}${ref}`)}`;
}

/** A remote base: its `resources:` (or `bases:`, `components:`) entry on the artifact's line gets the new ref. */
function remoteBaseChange(text: string, artifact: Artifact, version: string): ChosenChange {
  const file = artifact.source.file;
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  const root = Array.isArray(docs) ? docs[0]?.contents : undefined;
  if (isMap(root)) {
    for (const field of ["resources", "bases", "components"]) {
      const list = root.get(field, true);
      if (!isSeq(list)) continue;
      for (let i = 0; i < list.items.length; i++) {
        const item = list.items[i] as Node | null;
        if (!isScalar(item) || typeof item.value !== "string" || !item.range) continue;
        if (lc.linePos(item.range[0]).line !== artifact.source.line) continue;
        const url = item.value;
        if (url.split("?")[0] !== artifact.name) continue;
        const path: YamlPath = [field, i];
        const param = /[?&]ref=/.test(url) ? "?ref=" : /[?&]version=/.test(url) ? "?version=" : "?ref=";
        return {
          change: { op: "set", path, value: withRef(url, version) },
          docIndex: 0,
          description: `set ${param} of ${field} entry ${i} in ${file}`,
        };
      }
    }
  }
  throw new EditPlanError(`remote base ${artifact.name} not found at ${file}:${artifact.source.line}`);
}

/**
 * Plans setting the version of one artifact (a chart, a remote base) in environment `env`. Refuses
 * (EditPlanError) a version set only in a file shared with other environments, naming the file.
 */
export async function planArtifactEdit(
  snapshot: RepoSnapshot,
  scan: ScanResult,
  req: ArtifactEditRequest,
): Promise<ArtifactEditPlan> {
  validVersion(req);
  let ctx: ScanContext | undefined = scanContext(scan);
  if (!ctx) {
    ctx = scanContext(await scanRepository(snapshot));
    if (!ctx) throw new EditPlanError("scan context unavailable");
  }
  const cell = scan.apps.find((a) => a.name === req.app)?.environments[req.env];
  const plan = ctx.plan.apps.find((a) => a.name === req.app)?.cells.get(req.env);
  if (!cell || !plan) throw new EditPlanError(`app ${req.app} has no environment ${req.env}`);
  const artifact = findArtifact(cell, plan, req);
  const label = artifactLabel(req);
  const file = artifact.source.file;
  if (!isOwnFile(cell, plan, file) && !isOwnChart(ctx, req.app, plan, file))
    throw new EditPlanError(
      `${label} is set in ${file}, which ${req.env} shares with other environments; Ladder edits only ${req.env}'s own files (${plan.path}): set the version there first`,
    );
  const before = ctx.store.text(file);
  if (before === undefined) throw new EditPlanError(`cannot read ${file}`);
  const chosen =
    req.kind === "chart" ? chartChange(before, artifact, req.version) : remoteBaseChange(before, artifact, req.version);
  let edited: ReturnType<typeof editYaml>;
  try {
    edited = editYaml(before, chosen.change, chosen.docIndex);
  } catch (error) {
    throw new EditPlanError(`cannot edit ${file}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  const after = edited.text;

  const resolved = reResolve(snapshot, ctx, plan, file, after);
  const targetDirs = Object.values(resolved.targets ?? {}).map((t) => `${t.path}/`);
  const same = (resolved.artifacts ?? []).filter((a) => a.kind === req.kind && a.name === req.name);
  const decisive = same.filter((a) => !targetDirs.some((d) => a.source.file.startsWith(d)));
  if (decisive.length === 0 || decisive.some((a) => a.version !== req.version)) {
    const got = same.map((a) => `${a.version ?? "(none)"} at ${a.source.file}:${a.source.line}`).join(", ") || "nothing";
    throw new EditPlanError(`edit of ${file} would not make ${req.env} run ${label} ${req.version} (re-resolved: ${got})`);
  }
  const unifiedDiff = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
  return {
    path: file,
    before,
    after,
    unifiedDiff,
    from: artifact,
    to: { kind: req.kind, name: req.name, version: req.version },
    minimal: edited.minimal,
    description: chosen.description,
  };
}
