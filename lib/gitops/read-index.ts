/**
 * The scan's reads turned around: for each file, the cells and Kustomize builds that read it, so a
 * commit's changed paths name what to resolve again without checking every cell's reads.
 *
 * Only reads of files that exist are indexed (`f:<path>` with a blob SHA). A commit that changes
 * files in place invalidates nothing else; one that adds or removes a file (what absent-file,
 * listing and directory reads depend on) re-plans and checks every cell's reads anyway, and the
 * index is carried over from that scan's result. Everything in it is derived from the recorded
 * reads, which name blob SHAs, so every replica holding the same scan holds the same index.
 */
import { OverlayMap } from "../util/overlay-map";
import type { ReadSet } from "./file-store";
import { staticReadingIsPartial } from "./rendered";
import { cellId, type ScanContext, scanContext } from "./scan";
import type { Cell, ScanResult } from "./types";

export interface ReadIndex {
  /** `f:<path>` → ids (cellId) of the cells whose resolution read that file. */
  cells: Map<string, readonly string[]>;
  /** `f:<path>` → directories of the builds that read it. */
  builds: Map<string, readonly string[]>;
  /**
   * Cells a refresh resolves again whatever changed when rendering is left to the default: those
   * rendered, or whose static reading is partial (the scan renders them afresh each time).
   */
  rendersAgain: ReadonlySet<string>;
}

const INDEX = Symbol.for("ladder.gitops.readIndex");

type Indexed = ScanContext & { [INDEX]?: ReadIndex };

/** Whether a read names an existing file: the only reads an in-place change can invalidate. */
function indexed(key: string, value: string): boolean {
  return value !== "-" && key.charCodeAt(0) === 102 /* f */ && key.charCodeAt(1) === 58 /* : */;
}

function add(index: Map<string, string[]>, reads: ReadSet, id: string): void {
  for (const [k, v] of reads) {
    if (!indexed(k, v)) continue;
    const ids = index.get(k);
    if (ids) ids.push(id);
    else index.set(k, [id]);
  }
}

/** A cell the scan renders again on every refresh with default rendering (scan.ts's rendersAgain). */
export function rendersAgain(cell: Cell): boolean {
  return (
    cell.rendered !== undefined ||
    staticReadingIsPartial(cell) ||
    Object.values(cell.targets ?? {}).some((t) => t.rendered !== undefined || staticReadingIsPartial(t))
  );
}

function cellsRenderingAgain(scan: ScanResult): Set<string> {
  const out = new Set<string>();
  for (const a of scan.apps)
    for (const [env, c] of Object.entries(a.environments)) if (rendersAgain(c)) out.add(cellId(a.name, env));
  return out;
}

/**
 * The read index of a scan: kept on its context, built from the recorded reads the first time it
 * is asked for (once per cold scan: every read, one pass) and derived incrementally by each refresh.
 */
export function readIndex(scan: ScanResult): ReadIndex | undefined {
  const ctx = scanContext(scan) as Indexed | undefined;
  if (!ctx?.cellReads || !ctx.buildReads) return undefined;
  if (ctx[INDEX]) return ctx[INDEX];
  const cells = new Map<string, string[]>();
  for (const [id, reads] of ctx.cellReads) add(cells, reads, id);
  const builds = new Map<string, string[]>();
  for (const [dir, reads] of ctx.buildReads) add(builds, reads, dir);
  return keep(ctx, { cells, builds, rendersAgain: cellsRenderingAgain(scan) });
}

function keep(ctx: Indexed, index: ReadIndex): ReadIndex {
  Object.defineProperty(ctx, INDEX, { value: index, enumerable: false, configurable: true });
  return index;
}

/** Whether the index has been built for this scan (tests, benchmarks). */
export function hasReadIndex(scan: ScanResult): boolean {
  return (scanContext(scan) as Indexed | undefined)?.[INDEX] !== undefined;
}

/** The ids indexed under any of `keys`. */
export function readersOf(index: Map<string, readonly string[]>, keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) for (const id of index.get(k) ?? []) out.add(id);
  return out;
}

/**
 * `index` with the readers in `changed` moved from their old reads to their new ones (undefined:
 * gone), sharing every untouched entry with `index` (OverlayMap; the old index stays as it was).
 */
function moved(
  index: Map<string, readonly string[]>,
  changed: Iterable<[id: string, before: ReadSet | undefined, after: ReadSet | undefined]>,
): Map<string, readonly string[]> {
  const out = OverlayMap.of(index);
  const lists = new Map<string, string[]>();
  const list = (k: string) => {
    let l = lists.get(k);
    if (!l) {
      l = [...(out.get(k) ?? [])];
      lists.set(k, l);
    }
    return l;
  };
  for (const [id, before, after] of changed) {
    if (before === after) continue;
    for (const [k, v] of before ?? []) {
      if (!indexed(k, v) || (after && indexed(k, after.get(k) ?? "-"))) continue;
      const l = list(k);
      const at = l.indexOf(id);
      if (at >= 0) l.splice(at, 1);
    }
    for (const [k, v] of after ?? []) {
      if (!indexed(k, v) || (before && indexed(k, before.get(k) ?? "-"))) continue;
      list(k).push(id);
    }
  }
  for (const [k, l] of lists) {
    if (l.length === 0) out.delete(k);
    else out.set(k, l);
  }
  return out;
}

/**
 * The index of `next`, a refresh of `previous`: the previous index with the cells and builds whose
 * reads changed moved. `cells` and `builds` list what may have changed (ids and directories); with
 * `everything`, every cell and build of both scans is compared (after a scan that re-planned).
 */
export function deriveIndex(
  previous: ScanResult,
  next: ScanResult,
  changed: { cells: Iterable<string>; builds: Iterable<string>; fresh: Iterable<[string, Cell]> } | "everything",
): ReadIndex | undefined {
  const before = scanContext(previous) as Indexed | undefined;
  const after = scanContext(next) as Indexed | undefined;
  const old = before?.[INDEX];
  if (!old || !before?.cellReads || !before.buildReads || !after?.cellReads || !after.buildReads) return undefined;
  if (after[INDEX]) return after[INDEX];
  const prevCells = before.cellReads;
  const prevBuilds = before.buildReads;
  const nextCells = after.cellReads;
  const nextBuilds = after.buildReads;
  if (changed === "everything") {
    const cellMoves: [string, ReadSet | undefined, ReadSet | undefined][] = [];
    for (const [id, r] of nextCells) if (prevCells.get(id) !== r) cellMoves.push([id, prevCells.get(id), r]);
    for (const [id, r] of prevCells) if (!nextCells.has(id)) cellMoves.push([id, r, undefined]);
    const buildMoves: [string, ReadSet | undefined, ReadSet | undefined][] = [];
    for (const [d, r] of nextBuilds) if (prevBuilds.get(d) !== r) buildMoves.push([d, prevBuilds.get(d), r]);
    for (const [d, r] of prevBuilds) if (!nextBuilds.has(d)) buildMoves.push([d, r, undefined]);
    return keep(after, {
      cells: moved(old.cells, cellMoves),
      builds: moved(old.builds, buildMoves),
      rendersAgain: cellsRenderingAgain(next),
    });
  }
  const cells = [...changed.cells].map((id): [string, ReadSet | undefined, ReadSet | undefined] => [
    id,
    prevCells.get(id),
    nextCells.get(id),
  ]);
  const builds = [...changed.builds].map((d): [string, ReadSet | undefined, ReadSet | undefined] => [
    d,
    prevBuilds.get(d),
    nextBuilds.get(d),
  ]);
  let again: ReadonlySet<string> = old.rendersAgain;
  for (const [id, cell] of changed.fresh) {
    if (rendersAgain(cell) === again.has(id)) continue;
    const s = new Set(again);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    again = s;
  }
  return keep(after, { cells: moved(old.cells, cells), builds: moved(old.builds, builds), rendersAgain: again });
}
