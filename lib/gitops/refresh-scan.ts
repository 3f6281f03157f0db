/**
 * A scan of a new commit made from the scan of an earlier one. Every cell and every Kustomize
 * build recorded what it read (FileStore's ReadSet: paths with their blob SHAs, absent files,
 * directory listings); the new commit's changed paths invalidate those keys, and only cells with
 * an invalidated read are resolved again. The plan (which cells exist) is kept unless a file it
 * can depend on changed. The result equals a full scan of the new commit (refresh-scan.test.ts).
 */
import type { RepoFile, RepoSnapshot } from "../snapshot/types";
import { baseOf, FileStore, invalidatedKeys, isYamlPath, KUSTOMIZATION_NAMES } from "./file-store";
import { isHelmfilePath } from "./helmfile";
import { kustomizationInfo } from "./kustomization-index";
import { inheritPlaceholderEvidence, isPlaceholderEvidencePath } from "./placeholder-evidence";
import { optionsKey, runScan, type ScanOptions, scanContext, scanRepository } from "./scan";
import type { ScanResult } from "./types";

/** What changed between two commits' file lists. */
export interface TreeChange {
  changed: string[];
  added: string[];
  removed: string[];
  /** The new commit's files by path (made in the same walk). */
  byPath: Map<string, RepoFile>;
}

export function treeChange(before: ReadonlyMap<string, { sha: string }>, after: RepoSnapshot): TreeChange {
  const changed: string[] = [];
  const added: string[] = [];
  let kept = 0;
  const byPath = new Map<string, RepoFile>();
  for (const f of after.files()) {
    byPath.set(f.path, f);
    const was = before.get(f.path);
    if (!was) added.push(f.path);
    else {
      kept++;
      if (was.sha !== f.sha) changed.push(f.path);
    }
  }
  // Every earlier path still there: nothing was removed (the common case, without a second walk).
  const removed = kept === before.size ? [] : [...before.keys()].filter((p) => !byPath.has(p));
  return { changed, added, removed, byPath };
}

/**
 * A path whose change can alter every cell or the way cells are made: the scan starts again.
 * ladder.yaml (plan and policy), build-placeholder evidence (read by every cell), helmfiles and
 * chart templates (they can generate Argo CD Applications, and helmfile cells read them), Chart.yaml.
 */
function rescansAll(p: string): boolean {
  const n = baseOf(p);
  return (
    p === "ladder.yaml" ||
    p === "ladder.yml" ||
    isPlaceholderEvidencePath(p) ||
    isHelmfilePath(p) ||
    n === "Chart.yaml" ||
    p.startsWith("templates/") ||
    p.includes("/templates/") ||
    p.endsWith(".tpl") ||
    p.endsWith(".gotmpl")
  );
}

/**
 * Keys whose values no layout rule reads: what a promotion edits. A line `key: value` with one of
 * them and a plain or quoted scalar value is masked; anything else (a nested map, a block scalar,
 * an anchor, a flow collection, a template) stays as written, so it still counts.
 */
const VALUE_LINE = /^(\s*(?:-\s+)?(?:image|newTag|digest|tag|version):)[ \t]+([^|>&*{[\s].*)$/;

/** The text with promotion-edited values masked: equal masks mean the layout cannot have changed. */
export function layoutMask(text: string): string {
  if (text.includes("{{")) return text;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = VALUE_LINE.exec(lines[i] ?? "");
    if (m) lines[i] = `${m[1]} *`;
  }
  return lines.join("\n");
}

/**
 * Scans `snapshot` reusing `previous` (a scan of an earlier commit of the same repository, made
 * with the same options): unchanged cells are the previous objects, the rest are resolved again.
 * Falls back to a full scan when the previous scan has no read index or something global changed.
 */
export async function refreshScan(previous: ScanResult, snapshot: RepoSnapshot, options: ScanOptions = {}): Promise<ScanResult> {
  const prev = scanContext(previous);
  if (
    !prev?.cellReads ||
    !prev.buildReads ||
    prev.optionsKey !== optionsKey(options) ||
    options.render === true ||
    typeof options.render === "object" ||
    prev.generators
  )
    return scanRepository(snapshot, options);
  const change = treeChange(prev.store.files, snapshot);
  const all = [...change.changed, ...change.added, ...change.removed];
  if (all.some(rescansAll)) return scanRepository(snapshot, options);

  const files = snapshot.files();
  const store = new FileStore(snapshot, files, {
    from: prev.store,
    invalid: new Set(all),
    sameTree: change.added.length === 0 && change.removed.length === 0,
    byPath: change.byPath,
  });
  inheritPlaceholderEvidence(prev.store, store);
  // What a full scan would hold: every YAML text, and the non-YAML files a kustomization names
  // (an added one may be named by an unchanged kustomization; fetching one nothing names is harmless).
  await store.ensure([...change.changed.filter((p) => isYamlPath(p) || prev.store.hasText(p)), ...change.added]);
  const kustomizationFiles = [...change.changed, ...change.added].filter((p) =>
    (KUSTOMIZATION_NAMES as readonly string[]).includes(baseOf(p)),
  );
  await store.ensure(kustomizationFiles.flatMap((p) => kustomizationInfo(store, p)?.inputs ?? []));

  const keepPlan =
    change.added.length === 0 &&
    change.removed.length === 0 &&
    change.changed.every((p) => {
      const before = prev.store.text(p);
      const after = store.text(p);
      return before !== undefined && after !== undefined && layoutMask(before) === layoutMask(after);
    });
  return runScan(snapshot, options, {
    previous: prev,
    previousApps: previous.apps,
    previousStats: previous.stats,
    store,
    keepPlan,
    invalid: invalidatedKeys(change.changed, [...change.added, ...change.removed]),
  });
}
