import "server-only";
import { scanContext, scanRepository } from "../gitops/scan";
import { type LadderYamlSuggestion, suggestLadderYaml } from "../gitops/suggest-ladder-yaml";
import type { Cell, ImageSetBy, LadderYamlStatus, ScanResult, ScanWarning, TargetCell } from "../gitops/types";
import { getRepositoryView } from "./repository-view";

/** One image of a cell and the file and line that decide it. */
export interface LayoutImage {
  reference: string;
  file: string;
  line: number;
  setBy: ImageSetBy;
  /** Set in a shared base rather than the environment's own files. */
  inherited: boolean;
}

export interface LayoutTarget {
  name: string;
  path: string;
  images: LayoutImage[];
}

export interface LayoutCell {
  env: string;
  path: string;
  extraPaths: string[];
  /** Files of the environment itself (what a promotion edits). */
  ownFiles: string[];
  /** Files read from shared bases, components and charts. */
  sharedFiles: string[];
  images: LayoutImage[];
  unresolved: { reference: string; reason: string }[];
  targets?: LayoutTarget[];
  warnings: number;
}

export interface LayoutApp {
  name: string;
  format: string;
  cells: LayoutCell[];
}

/** The /layout page: how Ladder read the repository, and the ladder.yaml it would write for it. */
export interface LayoutView {
  repository: string;
  branch: string;
  commit: string;
  source: "ladder.yaml" | "detected";
  ladderYaml: LadderYamlStatus;
  guessed: string[];
  ignored: { path: string; reason: string }[];
  warnings: ScanWarning[];
  stats: ScanResult["stats"];
  environments: string[];
  apps: LayoutApp[];
  suggestion: LadderYamlSuggestion;
}

function reference(i: { repository: string; tag: string | null; digest: string | null }): string {
  return `${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`;
}

function imagesOf(cell: Pick<TargetCell, "images">): LayoutImage[] {
  return cell.images.map((i) => ({
    reference: reference(i),
    file: i.source.file,
    line: i.source.line,
    setBy: i.setBy,
    inherited: i.inherited,
  }));
}

function cellOf(env: string, cell: Cell): LayoutCell {
  const out: LayoutCell = {
    env,
    path: cell.path,
    extraPaths: cell.extraPaths ?? [],
    ownFiles: cell.ownFiles,
    sharedFiles: cell.sharedFiles,
    images: imagesOf(cell),
    unresolved: cell.unresolved.map((u) => ({ reference: u.reference, reason: u.reason })),
    warnings: cell.warnings.length,
  };
  if (cell.targets) out.targets = Object.entries(cell.targets).map(([name, t]) => ({ name, path: t.path, images: imagesOf(t) }));
  return out;
}

// One suggestion per scan: scans are cached by commit, and so is what is derived from them.
const suggestions = new WeakMap<ScanResult, LadderYamlSuggestion>();

async function suggestionFor(scan: ScanResult, rescan: () => Promise<ScanResult>): Promise<LadderYamlSuggestion> {
  const known = suggestions.get(scan);
  if (known) return known;
  // A scan rebuilt without its parsed state (never the service's own) is scanned again.
  const source = scanContext(scan) ? scan : await rescan();
  const suggestion = suggestLadderYaml(source);
  suggestions.set(scan, suggestion);
  return suggestion;
}

/** The configured repository's layout report, per app × environment, and the suggested ladder.yaml. */
export async function getLayoutView(): Promise<LayoutView> {
  const view = await getRepositoryView();
  const { scan } = view;
  let suggestion: LadderYamlSuggestion;
  try {
    suggestion = await suggestionFor(scan, () => scanRepository(view.snapshot));
  } catch (error) {
    console.error(`suggesting a ladder.yaml for ${view.repository}@${scan.commit} failed`, error);
    suggestion = {
      text: null,
      commit: scan.commit,
      approximations: [],
      omitted: [{ message: "Ladder could not write a ladder.yaml for this layout (the server log has the details)" }],
    };
  }
  return {
    repository: view.repository,
    branch: view.branch,
    commit: scan.commit,
    source: scan.layout.source,
    ladderYaml: scan.layout.ladderYaml,
    guessed: scan.layout.guessed,
    ignored: scan.layout.ignored,
    warnings: scan.warnings,
    stats: scan.stats,
    environments: scan.environments,
    apps: scan.apps.map((a) => ({
      name: a.name,
      format: a.format,
      cells: scan.environments.flatMap((env) => {
        const cell = a.environments[env];
        return cell ? [cellOf(env, cell)] : [];
      }),
    })),
    suggestion,
  };
}
