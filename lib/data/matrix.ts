import "server-only";
import type { LadderYamlStatus, ScanWarning } from "../gitops/types";
import { type MatrixRow, matrixRows } from "../matrix/environment-matrix";
import type { PathCommit } from "../snapshot/types";
import { cachedDiff } from "./compare";
import { getRepository } from "./repository-view";

// The rows and cells are plain functions of a scan (the CLI's `ladder status` prints the same).
export {
  type CellRelation,
  type MatrixCell,
  type MatrixImage,
  type MatrixRow,
  type MatrixTarget,
  targetSummary,
  toMatrixImage,
  versionOf,
} from "../matrix/environment-matrix";

export type MatrixFilter = "all" | "waiting" | "warnings";

export interface EnvironmentMatrix {
  repository: string;
  branch: string;
  commit: string;
  checkedAt: string;
  environments: string[];
  rows: MatrixRow[];
  totalApps: number;
  matchingApps: number;
  page: number;
  pageCount: number;
  pageSize: number;
  warnings: ScanWarning[];
  layout: { source: string; guessed: string[]; ladderYaml: LadderYamlStatus };
  commitUrl?: string;
}

export interface MatrixQuery {
  q?: string;
  filter?: MatrixFilter;
  page?: number;
  pageSize?: number;
}

interface ScanRows {
  changes: Map<string, PathCommit>;
  rows: MatrixRow[];
  /**
   * Per row, what a search matches, lower-cased once: the app's name and every image reference,
   * joined by NUL (which a query never contains: it is stripped from it), so a search is one
   * `includes` per row.
   */
  searchText: string[];
}

const rowsByScan = new WeakMap<object, ScanRows>();

/**
 * Every app's row, made once per scan and last-change map (both are per commit): a request then
 * filters and pages them instead of rebuilding 20,000 cells of a 5,000-app repository each time.
 */
function rowsOf(scan: Parameters<typeof matrixRows>[0], changes: Map<string, PathCommit>): ScanRows {
  const hit = rowsByScan.get(scan);
  if (hit && hit.changes === changes) return hit;
  const rows = matrixRows(scan, changes);
  const searchText = rows.map((row) =>
    [row.app, ...Object.values(row.cells).flatMap((c) => c?.images.map((i) => i.reference) ?? [])].join("\0").toLowerCase(),
  );
  const made = { changes, rows, searchText };
  rowsByScan.set(scan, made);
  return made;
}

/** The matrix the home page shows: one row per app, one cell per environment, paged. */
export async function getEnvironmentMatrix(query: MatrixQuery = {}): Promise<EnvironmentMatrix> {
  const service = getRepository();
  const view = await service.current();
  const { scan } = view;
  const changes = await service.cellLastChanges(view).catch((error: unknown) => {
    // Last-change times are a nicety: a failure must not cost the whole matrix.
    console.error("computing last changes failed", error);
    return new Map<string, PathCommit>();
  });

  const { rows: allRows, searchText } = rowsOf(scan, changes);

  const q = query.q?.replaceAll("\0", "").trim().toLowerCase() ?? "";
  const filter = query.filter ?? "all";
  const matching = allRows.filter(
    (row, i) =>
      (q === "" || (searchText[i] ?? "").includes(q)) &&
      (filter === "all" || (filter === "waiting" && row.waiting > 0) || (filter === "warnings" && row.warnings > 0)),
  );
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 10), 200);
  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(Math.max(1, query.page ?? 1), pageCount);
  // The page's own copies: drift is set on them below, and allRows is shared by every request.
  const rows = matching.slice((page - 1) * pageSize, page * pageSize).map((row) => ({
    ...row,
    cells: Object.fromEntries(Object.entries(row.cells).map(([env, cell]) => [env, cell && { ...cell }])),
  }));
  // Drift only for the rows shown: each pair's diff is cached by commit.
  await Promise.all(
    rows.flatMap((row) =>
      Object.values(row.cells).map(async (cell) => {
        if (!cell?.relationTo || !row.cells[cell.relationTo]) return;
        try {
          const diff = await cachedDiff(view, row.app, cell.relationTo, cell.env);
          cell.drift = diff.semantic.filter((c) => c.classification === "drift").length;
        } catch (error) {
          console.error(`comparing ${row.app} ${cell.relationTo} → ${cell.env} failed`, error);
        }
      }),
    ),
  );
  return {
    repository: view.repository,
    branch: view.branch,
    commit: view.snapshot.commit,
    checkedAt: view.checkedAt.toISOString(),
    environments: scan.environments,
    rows,
    totalApps: allRows.length,
    matchingApps: matching.length,
    page,
    pageCount,
    pageSize,
    warnings: scan.warnings,
    layout: { source: scan.layout.source, guessed: scan.layout.guessed, ladderYaml: scan.layout.ladderYaml },
  };
}
