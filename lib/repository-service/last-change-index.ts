/**
 * The newest commit that changed each path, kept per commit and made from its parent's: for a
 * head whose first parent's index is known, the index is that one with the head's own change (the
 * reader's tree diff) set to the head, and the commit that leaves the window dropped. Built once
 * per commit (content addressed by its SHA), it never walks whole historical trees.
 *
 * The window is the whole-tree walk's (lastChangesFromTrees, kept as the baseline): the `depth`
 * newest commits of first-parent history, each of them but the oldest attributing what differs
 * from its parent (the oldest has no parent inside the window), a root commit inside it
 * attributing every path it added. A path last changed before the window is absent. With merges
 * the whole-tree walk compared commits in date order, whatever branch they were on; the index
 * follows first parents, so a merge attributes what it brought into the branch (index tests).
 */
import { readIndex } from "../gitops/read-index";
import { cellId, scanContext } from "../gitops/scan";
import type { ScanResult } from "../gitops/types";
import type { CommitChange, PathCommit, RepoReader, RepoSnapshot } from "../snapshot/types";
import { mapLimit } from "../util/map-limit";
import { OverlayMap } from "../util/overlay-map";

export interface LastChangeIndex {
  readonly commit: string;
  readonly depth: number;
  /** The window: first-parent history from the head, head first, at most `depth` commits. */
  readonly chain: readonly string[];
  /** The attributing commits (all of the window but its oldest), by SHA. */
  readonly commits: ReadonlyMap<string, PathCommit>;
  /** Path → SHA of the newest commit in the window that changed it (paths in the head's tree only). */
  readonly byPath: ReadonlyMap<string, string>;
  /** SHA → the paths it changed (some may have changed again since: byPath says which are still its). */
  readonly byCommit: ReadonlyMap<string, readonly string[]>;
}

type Reader = Pick<RepoReader, "history"> & Required<Pick<RepoReader, "commitChange">>;

function empty(commit: string, depth: number): LastChangeIndex {
  return { commit, depth, chain: [commit], commits: new Map(), byPath: new Map(), byCommit: new Map() };
}

/**
 * The index of `head` from nothing: its window's commit changes, oldest first. The history listing
 * first (one request on GitHub) tells the reader each commit's parents, so each change then costs
 * only the trees (cached, or one request each); git reads the window's changes in one `git log`.
 */
export async function buildLastChangeIndex(reader: Reader, head: string, depth: number): Promise<LastChangeIndex> {
  if (depth < 2) return empty(head, depth);
  await reader.history([], { ref: head, limit: depth });
  const chain: string[] = [];
  const changes: CommitChange[] = [];
  let sha: string | undefined = head;
  while (sha && chain.length < depth) {
    chain.push(sha);
    // The oldest commit of a full window has no parent inside it: it attributes nothing.
    if (chain.length === depth) break;
    const c = await reader.commitChange(sha);
    changes.push(c);
    sha = c.parents[0];
  }
  const byPath = new Map<string, string>();
  const byCommit = new Map<string, readonly string[]>();
  const commits = new Map<string, PathCommit>();
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i] as CommitChange;
    for (const p of c.removed) byPath.delete(p);
    const touched = [...c.changed, ...c.added];
    for (const p of touched) byPath.set(p, c.commit.sha);
    byCommit.set(c.commit.sha, touched);
    commits.set(c.commit.sha, c.commit);
  }
  return { commit: chain[0] ?? head, depth, chain, commits, byPath, byCommit };
}

/** The index of `change`'s commit from its first parent's: the head's change in, the commit leaving the window out. */
export function deriveLastChangeIndex(parent: LastChangeIndex, change: CommitChange): LastChangeIndex {
  const { depth } = parent;
  const head = change.commit.sha;
  if (change.parents[0] !== parent.commit) throw new Error(`${head} is not a child of ${parent.commit}`);
  if (depth < 2) return empty(head, depth);
  const byPath = OverlayMap.of(parent.byPath);
  const byCommit = new Map(parent.byCommit);
  const commits = new Map(parent.commits);
  // The window moves by one: the parent's second-oldest commit becomes the oldest, which attributes nothing.
  const leaving = parent.chain.length >= depth - 1 ? parent.chain[depth - 2] : undefined;
  if (leaving) {
    for (const p of parent.byCommit.get(leaving) ?? []) if (byPath.get(p) === leaving) byPath.delete(p);
    byCommit.delete(leaving);
    commits.delete(leaving);
  }
  for (const p of change.removed) byPath.delete(p);
  const touched = [...change.changed, ...change.added];
  for (const p of touched) byPath.set(p, head);
  byCommit.set(head, touched);
  commits.set(head, change.commit);
  return { commit: head, depth, chain: [head, ...parent.chain].slice(0, depth), commits, byPath, byCommit };
}

/** The index as path → commit (a view: nothing is copied). */
export function pathChanges(index: LastChangeIndex): ReadonlyMap<string, PathCommit> {
  const commitOf = (sha: string | undefined) => (sha === undefined ? undefined : index.commits.get(sha));
  return {
    get size() {
      return index.byPath.size;
    },
    get: (p: string) => commitOf(index.byPath.get(p)),
    has: (p: string) => index.byPath.has(p),
    forEach(fn, thisArg) {
      for (const [p, sha] of index.byPath) {
        const c = commitOf(sha);
        if (c) fn.call(thisArg, c, p, this);
      }
    },
    *entries() {
      for (const [p, sha] of index.byPath) {
        const c = commitOf(sha);
        if (c) yield [p, c] as [string, PathCommit];
      }
    },
    *keys() {
      for (const [p] of this.entries()) yield p;
    },
    *values() {
      for (const [, c] of this.entries()) yield c;
    },
    [Symbol.iterator]() {
      return this.entries();
    },
  } as ReadonlyMap<string, PathCommit>;
}

/**
 * Each cell's last change: the newest commit in the window that changed any file its resolution
 * read (its own files, and the bases, components, patches and values it builds from), so a change
 * to a shared base shows in every cell built on it. Keyed by cellId; cells with no change in the
 * window are absent. Found from the changed paths through the scan's read index (file → cells
 * that read it), so the cost follows what the window changed, not the size of the matrix; cells
 * without recorded reads (a chart's generated Applications) fall back to their own and shared files.
 */
export function cellLastChanges(scan: ScanResult, index: LastChangeIndex): Map<string, PathCommit> {
  const position = new Map(index.chain.map((sha, i) => [sha, i]));
  const best = new Map<string, number>();
  const consider = (id: string, sha: string | undefined) => {
    const at = sha === undefined ? undefined : position.get(sha);
    if (at !== undefined && at < (best.get(id) ?? Number.POSITIVE_INFINITY)) best.set(id, at);
  };
  const readers = readIndex(scan);
  const ctx = scanContext(scan);
  if (readers) for (const [p, sha] of index.byPath) for (const id of readers.cells.get(`f:${p}`) ?? []) consider(id, sha);
  if (!readers || ctx?.generators)
    for (const app of scan.apps)
      for (const [env, cell] of Object.entries(app.environments)) {
        const id = cellId(app.name, env);
        if (readers && ctx?.cellReads?.has(id)) continue;
        for (const p of [cell.path, ...(cell.extraPaths ?? []), ...cell.ownFiles, ...cell.sharedFiles])
          consider(id, index.byPath.get(p));
      }
  const out = new Map<string, PathCommit>();
  for (const [id, at] of best) {
    const commit = index.commits.get(index.chain[at] ?? "");
    if (commit) out.set(id, commit);
  }
  return out;
}

/**
 * The whole-tree walk the index replaces, kept as its baseline and for readers that cannot say
 * what one commit changed: the newest `depth` commits' trees, compared path by path. Its window is
 * the history listing's order (by date, across branches), which is first-parent history when the
 * history is linear.
 */
export async function lastChangesFromTrees(reader: RepoReader, head: RepoSnapshot, depth: number): Promise<LastChangeIndex> {
  const log = await reader.history([], { ref: head.commit, limit: depth });
  const snapshots = await mapLimit(log, 6, (c) => reader.snapshot(c.sha));
  const blobs = snapshots.map((s) => new Map(s.files().map((f) => [f.path, f.sha])));
  const wanted = new Set(head.files().map((f) => f.path));
  const byPath = new Map<string, string>();
  const commits = new Map<string, PathCommit>();
  // With fewer commits than asked for, the last one is the root: it added everything left.
  const reachedRoot = log.length < depth;
  for (let i = 0; i < log.length && wanted.size > 0; i++) {
    const here = blobs[i];
    const before = blobs[i + 1];
    const commit = log[i];
    if (!here || !commit || (!before && !reachedRoot)) break;
    for (const path of wanted) {
      if (here.get(path) !== before?.get(path)) {
        byPath.set(path, commit.sha);
        commits.set(commit.sha, commit);
        wanted.delete(path);
      }
    }
  }
  return { commit: head.commit, depth, chain: log.map((c) => c.sha), commits, byPath, byCommit: new Map() };
}
