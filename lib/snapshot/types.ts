/**
 * The one way `lib/gitops` sees a repository: a snapshot of files at one commit.
 * Implementations: a local directory or git checkout (`lib/snapshot/local-reader.ts`)
 * and GitHub through Octokit (`lib/github/github-reader.ts`).
 * Paths are repo-relative POSIX paths without a leading slash.
 */
export interface RepoFile {
  path: string;
  /** Git blob SHA (content address); for a plain directory, a SHA-1 of the content computed the git way. */
  sha: string;
  size: number;
}

/** How one commit's tree differs from another's, path by path. */
export interface TreeDiff {
  /** In both trees, with another blob. */
  changed: string[];
  added: string[];
  removed: string[];
}

export interface RepoSnapshot {
  /** Commit SHA the snapshot was taken at (for a non-git directory: "worktree"). */
  readonly commit: string;
  /** Every blob in the tree. */
  files(): readonly RepoFile[];
  /** One path's entry, as in `files()`, without building a map of them all. */
  file?(path: string): RepoFile | undefined;
  /**
   * How this tree differs from an earlier commit's, when the reader can tell without comparing
   * every path (git compares tree objects; a reader holding both trees skips equal subtrees).
   * Undefined when it cannot: the caller compares the file lists itself.
   */
  changesSince?(commit: string): Promise<TreeDiff | undefined>;
  /** UTF-8 content, or undefined when the path is not a blob in this snapshot. */
  read(path: string): Promise<string | undefined>;
  /** Several files at once (implementations batch or parallelise). */
  readMany(paths: readonly string[]): Promise<Map<string, string>>;
}

export interface PathCommit {
  sha: string;
  /** ISO-8601 committer date. */
  date: string;
  author: string;
  message: string;
  url?: string;
}

/** One commit and what it changed against its first parent (against nothing, for a root commit). */
export interface CommitChange extends TreeDiff {
  commit: PathCommit;
  /** Parent SHAs, the first parent first; none for a root commit. */
  parents: string[];
}

export interface RepoReader {
  /** Snapshot at a branch, tag or commit (default: the default branch / HEAD). */
  snapshot(ref?: string): Promise<RepoSnapshot>;
  /** Commits that touched any of the paths, newest first. */
  history(paths: readonly string[], options?: { ref?: string; limit?: number }): Promise<PathCommit[]>;
  /**
   * One commit's own change, for walking history a commit at a time (git compares the two trees;
   * a reader holding both listings compares them once). Absent: history is read from whole trees.
   */
  commitChange?(sha: string): Promise<CommitChange>;
}
