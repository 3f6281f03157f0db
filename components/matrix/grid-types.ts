/**
 * The shape of the matrix grid's compact rows (built on the server by grid-data.ts, drawn by
 * matrix-grid.tsx) and the few strings the browser derives from them, so the payload need not
 * carry them. Type imports only: the client bundle stays free of lib/gitops.
 */
import type { MatrixCell } from "@/lib/matrix/environment-matrix";

export interface GridImage {
  repo: string;
  tag?: string;
  digest?: string;
  /** By a digest a runtime can pull by (a malformed digest is shown, not pinned). */
  pinned?: true;
  /** The reference as written, only where it is not repo[:tag][@digest]. */
  written?: string;
  labels?: { kind: string; text: string; reason: string }[];
}

export interface GridTarget {
  name: string;
  path: string;
  /** "1.3.0 sha256:ab12…, nginx · implicit latest" — what the target runs, one line. */
  text: string;
  version: string;
  problems?: number;
  badges?: string[];
}

/** One app × environment; which environment is its place in GridRow.cells. */
export interface GridCell {
  images?: GridImage[];
  /** Values that set a tag whose repository the chart decides. */
  chartTags?: { tag: string; reason: string }[];
  targets?: { summary: string; list: GridTarget[]; canary?: string };
  artifacts?: NonNullable<MatrixCell["artifacts"]>;
  relation?: "same" | "differs" | "not-deployed";
  /** What `relation` compares with, only where it is not the rung right below (see relationTarget). */
  relationTo?: string;
  drift?: number;
  problems?: { count: number; text: string };
  /** Index into GridData.commits. */
  change?: number;
  belowTagOnly?: true;
  promotable?: true;
  open?: { text: string; title: string; url?: string };
}

export interface GridRow {
  app: string;
  format: string;
  waiting: number;
  /** In GridData.environments' order; null where the app is not deployed. */
  cells: (GridCell | null)[];
}

export interface GridCommit {
  sha: string;
  date: string;
  author: string;
  message: string;
  url?: string;
}

export interface GridData {
  repository: string;
  commit: string;
  environments: string[];
  rows: GridRow[];
  commits: GridCommit[];
  /** Registry evidence is on: the grid asks for badges once drawn. */
  registry: boolean;
}

/** The environment a cell is compared with: its own relationTo, else the rung right below. */
export function relationTarget(cell: GridCell, below: string | undefined): string | undefined {
  return cell.relation ? (cell.relationTo ?? below) : undefined;
}

/** The reference to copy and show on hover: as written, else repo[:tag][@digest] (lib/gitops formatImage). */
export function imageRef(i: GridImage): string {
  return i.written ?? `${i.repo}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`;
}

/** The tag, "untagged", or a bare name by its name (lib/matrix versionText). */
export function imageVersion(i: GridImage): string {
  return i.tag ?? (i.digest ? "untagged" : i.repo);
}

/** `sha256:` and the first 12 hex characters (lib/gitops shortDigest). */
export function imageShort(i: GridImage): string | undefined {
  return i.digest?.slice(0, 19);
}

/** `repository@digest` for a pinned image: its registry badge's key. */
export function badgeKey(i: GridImage): string | undefined {
  return i.pinned && i.digest ? `${i.repo}@${i.digest}` : undefined;
}

/** Every registry badge key the grid shows, once each (what the grid asks /api/registry/badges for). */
export function badgeKeys(data: Pick<GridData, "rows">): string[] {
  const keys = new Set<string>();
  for (const row of data.rows)
    for (const cell of row.cells) {
      for (const image of cell?.images ?? []) {
        const key = badgeKey(image);
        if (key) keys.add(key);
      }
      for (const target of cell?.targets?.list ?? []) for (const b of target.badges ?? []) keys.add(b);
    }
  return [...keys];
}
