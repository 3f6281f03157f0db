import { gitBlobSha } from "./local-reader";
import type { CommitChange, PathCommit, RepoFile, RepoReader, RepoSnapshot, TreeDiff } from "./types";

/** A commit made by memoryCommit: its snapshot, its parent and what it changed. */
export interface MemoryCommit extends RepoSnapshot {
  readonly parent: string;
  readonly change: TreeDiff;
}

/**
 * A commit held in memory as its parent plus what it changed (path → new text, null: deleted),
 * the way git holds a commit as a tree sharing every unchanged subtree with its parent. It knows
 * its change against the parent (`changesSince`), as git or a reader holding both trees does, and
 * builds its whole file list only when asked: for tests and benchmarks of what a refresh costs.
 */
export function memoryCommit(parent: RepoSnapshot, changes: Record<string, string | null>, commit: string): MemoryCommit {
  const own = new Map<string, { file: RepoFile; text: string } | null>();
  for (const [p, text] of Object.entries(changes)) {
    if (text === null) own.set(p, null);
    else {
      const buf = Buffer.from(text, "utf8");
      own.set(p, { file: { path: p, sha: gitBlobSha(buf), size: buf.length }, text });
    }
  }
  let parentByPath: Map<string, RepoFile> | undefined;
  const parentFile = (p: string): RepoFile | undefined => {
    if (parent.file) return parent.file(p);
    parentByPath ??= new Map(parent.files().map((f) => [f.path, f]));
    return parentByPath.get(p);
  };
  const diff: TreeDiff = { changed: [], added: [], removed: [] };
  for (const [p, entry] of own) {
    const was = parentFile(p);
    if (entry === null) {
      if (was) diff.removed.push(p);
    } else if (!was) diff.added.push(p);
    else if (was.sha !== entry.file.sha) diff.changed.push(p);
  }
  let list: RepoFile[] | undefined;
  const file = (p: string): RepoFile | undefined => {
    const entry = own.get(p);
    return entry === undefined ? parentFile(p) : (entry?.file ?? undefined);
  };
  const read = async (p: string): Promise<string | undefined> => {
    const entry = own.get(p);
    return entry === undefined ? parent.read(p) : entry?.text;
  };
  return {
    commit,
    parent: parent.commit,
    change: diff,
    files: () => {
      list ??= [...parent.files().filter((f) => !own.has(f.path)), ...[...own.values()].flatMap((e) => (e ? [e.file] : []))].sort(
        (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
      );
      return list;
    },
    file,
    read,
    readMany: async (paths) => {
      const out = new Map<string, string>();
      const fromParent: string[] = [];
      for (const p of paths) {
        const entry = own.get(p);
        if (entry === undefined) fromParent.push(p);
        else if (entry) out.set(p, entry.text);
      }
      if (fromParent.length > 0) for (const [p, t] of await parent.readMany(fromParent)) out.set(p, t);
      return out;
    },
    changesSince: async (since) =>
      since === parent.commit ? { changed: [...diff.changed], added: [...diff.added], removed: [...diff.removed] } : undefined,
  };
}

/**
 * A linear history held in memory, read through RepoReader: a root snapshot and the commits made
 * on it with `commit`. For benchmarks and tests of history walks (what a reader is asked for).
 */
export class MemoryHistory implements RepoReader {
  private readonly commits = new Map<string, { snapshot: RepoSnapshot; parent?: string; change?: TreeDiff; info: PathCommit }>();
  head: string;

  constructor(root: RepoSnapshot, info: Partial<PathCommit> = {}) {
    this.commits.set(root.commit, { snapshot: root, info: { sha: root.commit, date: "", author: "", message: "root", ...info } });
    this.head = root.commit;
  }

  /** A new head: the current one plus `changes`. */
  commit(changes: Record<string, string | null>, sha: string, info: Partial<PathCommit> = {}): MemoryCommit {
    const parent = this.commits.get(this.head);
    if (!parent) throw new Error(`no commit ${this.head}`);
    const snapshot = memoryCommit(parent.snapshot, changes, sha);
    this.commits.set(sha, {
      snapshot,
      parent: this.head,
      change: snapshot.change,
      info: { sha, date: "", author: "", message: sha, ...info },
    });
    this.head = sha;
    return snapshot;
  }

  private at(ref: string | undefined) {
    const c = this.commits.get(ref ?? this.head);
    if (!c) throw new Error(`no commit ${ref}`);
    return c;
  }

  async snapshot(ref?: string): Promise<RepoSnapshot> {
    return this.at(ref).snapshot;
  }

  async history(paths: readonly string[], options: { ref?: string; limit?: number } = {}): Promise<PathCommit[]> {
    const out: PathCommit[] = [];
    const touches = (d: TreeDiff | undefined, snap: RepoSnapshot) =>
      paths.length === 0 ||
      (d
        ? [...d.changed, ...d.added, ...d.removed].some((p) => paths.some((q) => p === q || p.startsWith(`${q}/`)))
        : snap.files().some((f) => paths.some((q) => f.path === q || f.path.startsWith(`${q}/`))));
    for (let c: ReturnType<MemoryHistory["at"]> | undefined = this.at(options.ref); c; ) {
      if (out.length >= (options.limit ?? 30)) break;
      if (touches(c.change, c.snapshot)) out.push(c.info);
      c = c.parent === undefined ? undefined : this.commits.get(c.parent);
    }
    return out;
  }

  async commitChange(sha: string): Promise<CommitChange> {
    const c = this.at(sha);
    const change = c.change ?? { changed: [], added: c.snapshot.files().map((f) => f.path), removed: [] };
    return { commit: c.info, parents: c.parent === undefined ? [] : [c.parent], ...change };
  }
}
