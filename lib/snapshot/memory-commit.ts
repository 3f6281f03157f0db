import { gitBlobSha } from "./local-reader";
import type { RepoFile, RepoSnapshot, TreeDiff } from "./types";

/**
 * A commit held in memory as its parent plus what it changed (path → new text, null: deleted),
 * the way git holds a commit as a tree sharing every unchanged subtree with its parent. It knows
 * its change against the parent (`changesSince`), as git or a reader holding both trees does, and
 * builds its whole file list only when asked: for tests and benchmarks of what a refresh costs.
 */
export function memoryCommit(parent: RepoSnapshot, changes: Record<string, string | null>, commit: string): RepoSnapshot {
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
