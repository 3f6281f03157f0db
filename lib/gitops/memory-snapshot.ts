import { gitBlobSha } from "../snapshot/local-reader";
import type { RepoFile, RepoSnapshot } from "../snapshot/types";

/** A snapshot held in memory: for tests, previews of planned edits, and generated trees. */
export function memorySnapshot(files: Record<string, string>, commit = "memory"): RepoSnapshot {
  const list: RepoFile[] = Object.entries(files)
    .map(([path, text]) => {
      const buf = Buffer.from(text, "utf8");
      return { path, sha: gitBlobSha(buf), size: buf.length };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    commit,
    files: () => list,
    read: async (p) => files[p],
    readMany: async (paths) => new Map(paths.filter((p) => files[p] !== undefined).map((p) => [p, files[p] as string])),
  };
}
