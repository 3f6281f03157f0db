/**
 * The matrix as the browser receives it: one compact, plain-data row per app, rendered by one
 * client component (matrix-grid.tsx). Before this, every cell was a server-component tree, and
 * React sent that tree twice — once as markup and once again in the RSC payload (for 50 rows,
 * 3,162 `children` and 2,838 `className` keys; ~1 MB of HTML). Now the payload carries what a
 * cell shows and nothing it can derive: display strings are made here (the client bundles no
 * lib/gitops code), absent fields are left out (not sent as `$undefined`), and the commits
 * cells last changed in are listed once and referred to by index. Pure: tested in grid-data.test.ts.
 */
import type { OpenPromotionView } from "@/lib/data/promotions";
import {
  labelledVersionText,
  type MatrixCell,
  type MatrixImage,
  type MatrixRow,
  versionOf,
} from "@/lib/matrix/environment-matrix";
import { reviewStatusTitle } from "../history/review-status";
import { type GridCell, type GridCommit, type GridData, type GridImage, imageRef } from "./grid-types";

function gridImage(image: MatrixImage): GridImage {
  const out: GridImage = { repo: image.repository };
  if (image.tag !== null) out.tag = image.tag;
  if (image.digest !== null) out.digest = image.digest;
  if (image.pinned) out.pinned = true;
  if (image.reference !== imageRef(out)) out.written = image.reference;
  if (image.labels.length > 0) out.labels = image.labels.map((l) => ({ kind: l.kind, text: l.text, reason: l.reason }));
  return out;
}

/**
 * What a canary would take from the rung below: its one pinned version, also when it fans out and
 * every target runs the same; undefined when there is no single pinned version to take.
 */
export function canaryVersion(below: MatrixCell): string | undefined {
  if (below.targets) {
    const versions = new Set(below.targets.map((t) => t.version));
    const pinned = below.targets.every((t) => t.images.some((i) => i.pinned));
    return versions.size === 1 && pinned ? below.targets[0]?.version : undefined;
  }
  return below.images.some((i) => i.pinned) ? versionOf(below.images) : undefined;
}

function openView(promotion: OpenPromotionView): NonNullable<GridCell["open"]> {
  return {
    text: `${promotion.prNumber ? `PR #${promotion.prNumber} · ` : ""}${promotion.summary}${promotion.autoMerge ? " · auto-merge" : ""}`,
    title: promotion.reviewStatus ? reviewStatusTitle(promotion.reviewStatus) : "Waiting for GitHub",
    ...(promotion.prUrl ? { url: promotion.prUrl } : {}),
  };
}

function gridCell(
  cell: MatrixCell,
  belowEnv: string | undefined,
  below: MatrixCell | null,
  hasBelow: boolean,
  open: OpenPromotionView | undefined,
  commitIndex: (c: NonNullable<MatrixCell["lastChange"]>) => number,
): GridCell {
  const out: GridCell = {};
  if (cell.targets && cell.targetSummary) {
    const canary = hasBelow && below ? canaryVersion(below) : undefined;
    out.targets = {
      summary: cell.targetSummary,
      list: cell.targets.map((t) => {
        const badges = t.images.filter((i) => i.pinned && i.digest).map((i) => `${i.repository}@${i.digest}`);
        return {
          name: t.name,
          path: t.path,
          text:
            t.images.map((i) => `${labelledVersionText(i)}${i.shortDigest ? ` ${i.shortDigest}` : ""}`).join(", ") ||
            "nothing resolved",
          version: t.version,
          ...(t.problems > 0 ? { problems: t.problems } : {}),
          ...(badges.length > 0 ? { badges } : {}),
        };
      }),
      ...(canary ? { canary } : {}),
    };
  } else {
    if (cell.images.length > 0) out.images = cell.images.map(gridImage);
    const chartTags = cell.images.length === 0 ? cell.unresolved.filter((u) => u.tag) : [];
    if (chartTags.length > 0) out.chartTags = chartTags.map((u) => ({ tag: u.tag ?? "", reason: u.reason }));
  }
  if (cell.artifacts && cell.artifacts.length > 0)
    out.artifacts = cell.artifacts.map((a) => ({
      kind: a.kind,
      name: a.name,
      version: a.version,
      pinned: a.pinned,
      ...(a.note ? { note: a.note } : {}),
      ...(a.promote ? { promote: a.promote } : {}),
    }));
  if (cell.relation !== "bottom" && cell.relationTo) {
    out.relation = cell.relation;
    if (cell.relationTo !== belowEnv) out.relationTo = cell.relationTo;
  }
  if (cell.drift !== undefined && cell.drift > 0) out.drift = cell.drift;
  const problems = cell.warnings.length + cell.unresolved.length;
  if (problems > 0)
    out.problems = {
      count: problems,
      text: [
        ...cell.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`),
        ...cell.unresolved.map((u) => `${u.reference}: ${u.reason}`),
      ].join("\n"),
    };
  if (cell.lastChange) out.change = commitIndex(cell.lastChange);
  if (cell.belowTagOnly) out.belowTagOnly = true;
  if (cell.promotable) out.promotable = true;
  if (open) out.open = openView(open);
  return out;
}

/** The page's rows as GridData: `openPromotions` by `${app}|${env}`. */
export function toGridData(
  matrix: { repository: string; commit: string; environments: string[]; rows: MatrixRow[] },
  openPromotions: Readonly<Record<string, OpenPromotionView>>,
  registry: boolean,
): GridData {
  const commits: GridCommit[] = [];
  const bySha = new Map<string, number>();
  const commitIndex = (c: NonNullable<MatrixCell["lastChange"]>): number => {
    let i = bySha.get(c.sha);
    if (i === undefined) {
      i = commits.length;
      bySha.set(c.sha, i);
      commits.push({ sha: c.sha, date: c.date, author: c.author, message: c.message, ...(c.url ? { url: c.url } : {}) });
    }
    return i;
  };
  const rows = matrix.rows.map((row) => ({
    app: row.app,
    format: row.format,
    waiting: row.waiting,
    cells: matrix.environments.map((env, i) => {
      const cell = row.cells[env];
      if (!cell) return null;
      const belowEnv = matrix.environments[i - 1];
      return gridCell(
        cell,
        belowEnv,
        belowEnv ? (row.cells[belowEnv] ?? null) : null,
        belowEnv !== undefined,
        openPromotions[`${row.app}|${env}`],
        commitIndex,
      );
    }),
  }));
  return { repository: matrix.repository, commit: matrix.commit, environments: matrix.environments, rows, commits, registry };
}
