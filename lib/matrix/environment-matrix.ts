/**
 * The app × environment matrix of one scan — rows, cells compared with the rung below, targets,
 * artifacts — in the shape the home page and `ladder status --json` show. Plain functions of a
 * scan; lib/data/matrix.ts adds the repository's last changes, drift, search and paging.
 */
import { formatImage, pullReference, shortDigest } from "../gitops/image-ref";
import { imageRelation } from "../gitops/image-relation";
import { cellId } from "../gitops/scan";
import type { Artifact, Cell, ImageLabel, ImageReference, ScanResult, ScanWarning } from "../gitops/types";
import type { PathCommit } from "../snapshot/types";

export type CellRelation = "same" | "differs" | "not-deployed" | "bottom";

export interface MatrixImage {
  repository: string;
  tag: string | null;
  digest: string | null;
  /** `sha256:` and the first 12 hex characters. */
  shortDigest: string | null;
  pinned: boolean;
  /** The full reference as written, to copy: repository[:tag][@digest]. */
  reference: string;
  /** What a runtime pulls for it: `nginx` → `docker.io/library/nginx:latest`. */
  pull: string;
  /** What the scan found suspicious (implicit latest, placeholder, malformed digest): shown, never hidden. */
  labels: ImageLabel[];
  inherited: boolean;
  source: { file: string; line: number };
}

export interface MatrixCell {
  env: string;
  path: string;
  images: MatrixImage[];
  /** Compared with the rung below; "bottom" for the first environment. */
  relation: CellRelation;
  relationTo?: string;
  /** The rung below runs a different pinned digest of an image this cell runs. */
  promotable: boolean;
  /** The rung below runs an image by tag only, so there is no digest to promote. */
  belowTagOnly: boolean;
  warnings: ScanWarning[];
  /** What could not be resolved; `tag` when the values set a tag whose repository the chart decides. */
  unresolved: { reference: string; reason: string; tag?: string }[];
  lastChange?: { sha: string; author: string; date: string; message: string; url?: string };
  /** Unexpected differences from the rung below (undefined when not compared). */
  drift?: number;
  /** The environment fans out: one line per target (cluster, region), and a one-line summary. */
  targets?: MatrixTarget[];
  targetSummary?: string;
  /**
   * Chart versions and remote-base refs the environment runs; `promote` is the pinned version the
   * rung below runs when it differs (what a Promote button would move up).
   */
  artifacts?: {
    kind: "chart" | "remote-base";
    name: string;
    version: string | null;
    pinned: boolean;
    note?: string;
    promote?: string;
  }[];
}

/** The one pinned version the rung below runs of an artifact, when it is not what this cell runs. */
function promotableVersion(a: Artifact, below: Cell | undefined): string | undefined {
  const same = (below?.artifacts ?? []).filter((b) => b.kind === a.kind && b.name === a.name);
  const only = same.length === 1 ? same[0] : undefined;
  return only?.pinned && only.version !== null && only.version !== a.version ? only.version : undefined;
}

export interface MatrixTarget {
  name: string;
  path: string;
  images: MatrixImage[];
  /** What the target runs, short: a digest's first 7 hex characters, else the tag. */
  version: string;
  problems: number;
}

export interface MatrixRow {
  app: string;
  format: string;
  cells: Record<string, MatrixCell | null>;
  waiting: number;
  warnings: number;
}

/** An image as the pages show it: short digest, the full reference to copy, its labels. */
export function toMatrixImage(image: ImageReference): MatrixImage {
  const parsed = { name: image.repository, tag: image.tag ?? undefined, digest: image.digest ?? undefined };
  return {
    repository: image.repository,
    tag: image.tag,
    digest: image.digest,
    shortDigest: image.digest ? shortDigest(image.digest) : null,
    pinned: image.pinned,
    reference: image.written ?? formatImage(parsed),
    pull: image.pull ?? pullReference(parsed),
    labels: image.labels ?? [],
    inherited: image.inherited,
    source: image.source,
  };
}

/**
 * The version a cell leads with: the tag; a digest alone is "untagged"; a bare name (neither) is
 * shown by its name, so `nginx` reads "nginx", with its implicit-latest label beside it.
 */
export function versionText(image: Pick<MatrixImage, "tag" | "digest" | "repository">): string {
  return image.tag ?? (image.digest ? "untagged" : image.repository);
}

/** The version and what the scan labelled it, as one line of text: "nginx · implicit latest, unpinned". */
export function labelledVersionText(image: Pick<MatrixImage, "tag" | "digest" | "repository" | "labels">): string {
  return [versionText(image), ...image.labels.map((l) => l.text)].join(" · ");
}

/** A target's version in one word: the short digest of each image, else its tag. */
export function versionOf(images: readonly { digest: string | null; tag: string | null }[]): string {
  if (images.length === 0) return "nothing resolved";
  return images.map((i) => (i.digest ? i.digest.replace(/^sha256:/, "").slice(0, 7) : (i.tag ?? "implicit latest"))).join(" + ");
}

/** "3 targets · all 1a2b3c4", or "2 of 3 on 1a2b3c4 · 1 on 5d6e7f8" (most common first). */
export function targetSummary(targets: readonly { version: string }[]): string {
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.version, (counts.get(t.version) ?? 0) + 1);
  const groups = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const n = targets.length;
  const noun = n === 1 ? "target" : "targets";
  if (groups.length === 1) return `${n} ${noun} · ${n === 1 ? "" : "all "}${groups[0]?.[0] ?? ""}`;
  return groups.map(([v, c], i) => (i === 0 ? `${c} of ${n} on ${v}` : `${c} on ${v}`)).join(" · ");
}

function targetsOf(cell: Cell): MatrixTarget[] | undefined {
  if (!cell.targets) return undefined;
  return Object.entries(cell.targets).map(([name, t]) => ({
    name,
    path: t.path,
    images: t.images.map(toMatrixImage),
    version: versionOf(t.images),
    problems: t.warnings.length + t.unresolved.length,
  }));
}

function relationOf(cell: Cell, below: Cell | undefined): CellRelation {
  if (!below) return "not-deployed";
  const relations = cell.images.map((image) =>
    imageRelation(
      image,
      below.images.find((b) => b.repositoryNormalised === image.repositoryNormalised),
    ),
  );
  if (relations.length === 0) return below.images.length ? "differs" : "same";
  if (relations.includes("differs")) return "differs";
  if (relations.every((r) => r === "same")) return "same";
  return "not-deployed";
}

function isPromotable(cell: Cell, below: Cell | undefined): boolean {
  if (!below) return false;
  return below.images.some((b) => {
    if (!b.digest) return false;
    const here = cell.images.find((i) => i.repositoryNormalised === b.repositoryNormalised);
    return !here || here.digest !== b.digest;
  });
}

function lastChangeOf(change: PathCommit | undefined): MatrixCell["lastChange"] {
  return change
    ? { sha: change.sha, author: change.author, date: change.date, message: change.message.split("\n")[0] ?? "", url: change.url }
    : undefined;
}

/**
 * One row per app, one cell per environment in ladder order (null where the app is not
 * deployed), each cell compared with the rung below; `changes` (cellId → the newest commit that
 * changed a file the cell read, RepositoryService.cellLastChanges) gives each cell its last change
 * when known.
 */
export function matrixRows(scan: ScanResult, changes: ReadonlyMap<string, PathCommit> = new Map()): MatrixRow[] {
  return scan.apps.map((app) => {
    const cells: Record<string, MatrixCell | null> = {};
    scan.environments.forEach((env, index) => {
      const cell = app.environments[env];
      if (!cell) {
        cells[env] = null;
        return;
      }
      const belowEnv = index > 0 ? scan.environments[index - 1] : undefined;
      const below = belowEnv ? app.environments[belowEnv] : undefined;
      cells[env] = {
        env,
        path: cell.path,
        images: cell.images.map(toMatrixImage),
        relation: belowEnv ? relationOf(cell, below) : "bottom",
        relationTo: belowEnv,
        promotable: isPromotable(cell, below),
        belowTagOnly: below?.images.some((b) => !b.digest) ?? false,
        warnings: cell.warnings,
        unresolved: cell.unresolved.map((u) => ({ reference: u.reference, reason: u.reason, ...(u.tag ? { tag: u.tag } : {}) })),
        lastChange: lastChangeOf(changes.get(cellId(app.name, env))),
      };
      if (cell.artifacts?.length)
        Object.assign(cells[env], {
          artifacts: cell.artifacts.map((a) => {
            const promote = promotableVersion(a, below);
            return {
              kind: a.kind,
              name: a.name,
              version: a.version,
              pinned: a.pinned,
              ...(a.note ? { note: a.note } : {}),
              ...(promote ? { promote } : {}),
            };
          }),
        });
      const targets = targetsOf(cell);
      if (targets) Object.assign(cells[env], { targets, targetSummary: targetSummary(targets) });
    });
    const values = Object.values(cells).filter((c): c is MatrixCell => c !== null);
    return {
      app: app.name,
      format: app.format,
      cells,
      waiting: values.filter((c) => c.promotable).length,
      warnings: values.reduce((n, c) => n + c.warnings.length + c.unresolved.length, 0),
    };
  });
}
