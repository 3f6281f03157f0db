/**
 * RepoReader over GitHub in a handful of requests per commit, not per file:
 *   - the branch ref, conditional on its ETag (GitHub does not charge a 304);
 *   - one recursive tree per commit (a commit's tree never changes, so it is kept);
 *   - blobs only when their SHA is not in the content-addressed cache.
 * A warm read with no new commit is one request; after a one-file commit it is three.
 *
 * Each tree is read against the one read before it (the previous head, or the newer commit when
 * walking history): unchanged entries are that listing's objects, its path map is shared with
 * only the changes of its own (OverlayMap), and the difference is kept, so a refresh or a history
 * walk asks the snapshot what changed instead of comparing every path again.
 */
import type { CommitChange, PathCommit, RepoFile, RepoReader, RepoSnapshot, TreeDiff } from "../snapshot/types";
import { mapLimit } from "../util/map-limit";
import { OverlayMap } from "../util/overlay-map";
import { type BlobCache, sharedBlobCache } from "./blob-cache";
import type { GitHubClient } from "./client";
import {
  BlobTooLargeError,
  type ErrorContext,
  GitHubError,
  isRequestError,
  RefNotFoundError,
  TruncatedTreeError,
  toGitHubError,
} from "./errors";
import { gitBlobSha } from "./git-blob-sha";

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface GitHubReaderOptions extends RepoRef {
  client: GitHubClient;
  /** Branch read when `snapshot()` gets no ref; default: the repository's default branch. */
  defaultBranch?: string;
  /** Default: the process-wide cache. */
  blobCache?: BlobCache;
  /** Files larger than this are refused rather than read (default 1 MiB). */
  maxBlobBytes?: number;
  /** Parallel blob requests (default 8). */
  concurrency?: number;
  /** Commits whose trees are kept in memory (default 16). */
  treeCacheSize?: number;
  /**
   * Cold start through GraphQL: when a read needs at least `minBlobs` uncached blobs, fetch them
   * in queries of `batchSize` aliases instead of one REST request each. Default on
   * ({ minBlobs: 20, batchSize: 250 }); `false` keeps every read on REST.
   */
  graphqlColdStart?: false | { minBlobs?: number; batchSize?: number };
}

export interface GitHubRepoFile extends RepoFile {
  mode: string;
}

const SHA_RE = /^[0-9a-f]{40}$/;

interface GraphqlBlob {
  oid: string;
  byteSize: number;
  isBinary: boolean;
  isTruncated: boolean;
  text: string | null;
}

interface TreeListing {
  commit: string;
  treeSha: string;
  files: GitHubRepoFile[];
  byPath: Map<string, GitHubRepoFile>;
  /** The listing this one was read against, and what differs from it to this one. */
  from?: { commit: string; diff: TreeDiff };
}

/** What differs from `a` to `b`, compared path by path (when neither was read against the other). */
function compareListings(a: TreeListing, b: TreeListing): TreeDiff {
  const diff: TreeDiff = { changed: [], added: [], removed: [] };
  for (const f of b.files) {
    const was = a.byPath.get(f.path);
    if (!was) diff.added.push(f.path);
    else if (was.sha !== f.sha || was.mode !== f.mode) diff.changed.push(f.path);
  }
  for (const f of a.files) if (!b.byPath.has(f.path)) diff.removed.push(f.path);
  return diff;
}

function reversed(d: TreeDiff): TreeDiff {
  return { changed: d.changed, added: d.removed, removed: d.added };
}

function copyDiff(d: TreeDiff): TreeDiff {
  return { changed: [...d.changed], added: [...d.added], removed: [...d.removed] };
}

export class GitHubSnapshot implements RepoSnapshot {
  constructor(
    private readonly reader: GitHubRepoReader,
    readonly commit: string,
    /** Root tree SHA: lets a promotion build its commit without another request. */
    readonly treeSha: string,
    private readonly listing: TreeListing,
  ) {}

  files(): readonly GitHubRepoFile[] {
    return this.listing.files;
  }

  file(path: string): GitHubRepoFile | undefined {
    return this.listing.byPath.get(path);
  }

  /** Known when this tree was read against `commit`'s, or `commit`'s against this one. */
  async changesSince(commit: string): Promise<TreeDiff | undefined> {
    return this.reader.knownDiff(commit, this.commit);
  }

  async read(path: string): Promise<string | undefined> {
    const file = this.listing.byPath.get(path);
    return file ? await this.reader.readBlob(file) : undefined;
  }

  async readMany(paths: readonly string[]): Promise<Map<string, string>> {
    const files = paths.map((p) => this.listing.byPath.get(p)).filter((f): f is GitHubRepoFile => f !== undefined);
    await this.reader.prefetch(files);
    const contents = await mapLimit(files, this.reader.concurrency, (f) => this.reader.readBlob(f));
    const out = new Map<string, string>();
    for (const [i, f] of files.entries()) out.set(f.path, contents[i] ?? "");
    return out;
  }
}

export class GitHubRepoReader implements RepoReader {
  readonly owner: string;
  readonly repo: string;
  readonly concurrency: number;
  private readonly client: GitHubClient;
  private readonly blobs: BlobCache;
  private readonly maxBlobBytes: number;
  private readonly treeCacheSize: number;
  private defaultBranch: string | undefined;
  private readonly refs = new Map<string, { etag: string; sha: string }>();
  private readonly trees = new Map<string, TreeListing>();
  /** The tree read last: the next one is read against it. */
  private latest: TreeListing | undefined;
  /** Commits seen in history listings or read one by one: their parents and what to show. */
  private readonly commits = new Map<string, { commit: PathCommit; parents: string[] }>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly graphql: { minBlobs: number; batchSize: number } | undefined;

  constructor(options: GitHubReaderOptions) {
    this.client = options.client;
    this.owner = options.owner;
    this.repo = options.repo;
    this.defaultBranch = options.defaultBranch;
    this.blobs = options.blobCache ?? sharedBlobCache;
    this.maxBlobBytes = options.maxBlobBytes ?? 1024 * 1024;
    this.concurrency = options.concurrency ?? 8;
    this.treeCacheSize = options.treeCacheSize ?? 16;
    this.graphql =
      options.graphqlColdStart === false
        ? undefined
        : { minBlobs: options.graphqlColdStart?.minBlobs ?? 20, batchSize: options.graphqlColdStart?.batchSize ?? 250 };
  }

  /**
   * Fills the cache for many uncached blobs with a few GraphQL queries (one alias per blob, by
   * oid). Best effort: anything GraphQL does not deliver intact is left for REST.
   */
  async prefetch(files: readonly RepoFile[]): Promise<void> {
    if (!this.graphql) return;
    const wanted = new Map<string, RepoFile>();
    for (const f of files) {
      if (f.size <= this.maxBlobBytes && !this.blobs.has(f.sha) && !this.inflight.has(f.sha)) wanted.set(f.sha, f);
    }
    if (wanted.size < this.graphql.minBlobs) return;
    const shas = [...wanted.keys()];
    for (let i = 0; i < shas.length; i += this.graphql.batchSize) {
      const chunk = shas.slice(i, i + this.graphql.batchSize);
      const aliases = chunk
        .map((sha, n) => `b${n}: object(oid: "${sha}") { ... on Blob { oid byteSize isBinary isTruncated text } }`)
        .join("\n");
      const query = `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {\n${aliases}\n} }`;
      let result: { repository: Record<string, GraphqlBlob | null> | null };
      try {
        result = await this.client.octokit.graphql<typeof result>(query, { owner: this.owner, name: this.repo });
      } catch (error) {
        const typed = toGitHubError(error, this.context());
        // Credentials and rate limits fail REST too; anything else, REST can still serve.
        if (typed.code === "bad-credentials" || typed.code === "rate-limited") throw typed;
        console.warn(`[github] GraphQL cold start for ${this.owner}/${this.repo} failed; reading blobs over REST`, typed.message);
        return;
      }
      for (const blob of Object.values(result.repository ?? {})) {
        if (!blob || blob.isBinary || blob.isTruncated || blob.text === null) continue;
        // Same integrity rule as REST: only content that hashes to its SHA enters the shared cache.
        if (wanted.has(blob.oid) && gitBlobSha(blob.text) === blob.oid) this.blobs.set(blob.oid, blob.text);
      }
    }
  }

  private context(ref?: string): ErrorContext {
    return { repository: `${this.owner}/${this.repo}`, baseUrl: this.client.baseUrl, ...(ref ? { ref } : {}) };
  }

  async getDefaultBranch(): Promise<string> {
    if (this.defaultBranch) return this.defaultBranch;
    try {
      const { data } = await this.client.octokit.repos.get({ owner: this.owner, repo: this.repo });
      this.defaultBranch = data.default_branch;
      return data.default_branch;
    } catch (error) {
      throw toGitHubError(error, this.context());
    }
  }

  /** Commit SHA at a branch or tag, asking GitHub conditionally so an unchanged ref costs nothing. */
  async resolveRef(ref: string): Promise<string> {
    if (SHA_RE.test(ref)) return ref;
    const name = ref.replace(/^refs\//, "");
    const candidates = name.startsWith("heads/") || name.startsWith("tags/") ? [name] : [`heads/${name}`, `tags/${name}`];
    for (const candidate of candidates) {
      const cached = this.refs.get(candidate);
      try {
        const response = await this.client.octokit.git.getRef({
          owner: this.owner,
          repo: this.repo,
          ref: candidate,
          ...(cached ? { headers: { "if-none-match": cached.etag } } : {}),
        });
        const sha = response.data.object.sha;
        const etag = response.headers.etag;
        if (etag) this.refs.set(candidate, { etag, sha });
        return sha;
      } catch (error) {
        if (isRequestError(error) && error.status === 304 && cached) return cached.sha;
        if (isRequestError(error) && error.status === 404) continue;
        throw toGitHubError(error, this.context(ref));
      }
    }
    // Distinguish "no such branch" from "no such repository" (both are 404 on the ref).
    this.refs.delete(ref);
    await this.assertRepoExists();
    throw new RefNotFoundError(`${this.owner}/${this.repo}`, ref);
  }

  private async assertRepoExists(): Promise<void> {
    try {
      const { data } = await this.client.octokit.repos.get({ owner: this.owner, repo: this.repo });
      this.defaultBranch ??= data.default_branch;
    } catch (error) {
      throw toGitHubError(error, this.context());
    }
  }

  async snapshot(ref?: string): Promise<GitHubSnapshot> {
    const commit = await this.resolveRef(ref ?? (await this.getDefaultBranch()));
    const listing = await this.tree(commit);
    return new GitHubSnapshot(this, commit, listing.treeSha, listing);
  }

  private async tree(commit: string): Promise<TreeListing> {
    const cached = this.trees.get(commit);
    if (cached) {
      this.trees.delete(commit);
      this.trees.set(commit, cached);
      return cached;
    }
    let data: Awaited<ReturnType<GitHubClient["octokit"]["git"]["getTree"]>>["data"];
    try {
      // GitHub accepts a commit SHA here and answers with its root tree: no getCommit needed.
      ({ data } = await this.client.octokit.git.getTree({
        owner: this.owner,
        repo: this.repo,
        tree_sha: commit,
        recursive: "1",
      }));
    } catch (error) {
      throw toGitHubError(error, this.context(commit));
    }
    if (data.truncated) throw new TruncatedTreeError(`${this.owner}/${this.repo}`, commit);
    const listing = readListing(commit, data.sha, data.tree, this.latest);
    this.latest = listing;
    this.trees.set(commit, listing);
    for (const oldest of this.trees.keys()) {
      if (this.trees.size <= this.treeCacheSize) break;
      this.trees.delete(oldest);
    }
    return listing;
  }

  /** What differs from commit `a`'s tree to `b`'s, when one was read against the other (no request). */
  knownDiff(a: string, b: string): TreeDiff | undefined {
    if (a === b) return { changed: [], added: [], removed: [] };
    const after = this.trees.get(b);
    if (after?.from?.commit === a) return copyDiff(after.from.diff);
    const before = this.trees.get(a);
    if (before?.from?.commit === b) return copyDiff(reversed(before.from.diff));
    return undefined;
  }

  /**
   * A commit, its parents and what it changed against its first parent: the commit from a history
   * listing already read or one request, and the two trees (cached, or one request each, the
   * parent read against the commit, so their difference comes with it).
   */
  async commitChange(sha: string): Promise<CommitChange> {
    const info = this.commits.get(sha) ?? (await this.readCommit(sha));
    const parent = info.parents[0];
    const here = await this.tree(sha);
    if (!parent) return { ...info, changed: [], added: here.files.map((f) => f.path), removed: [] };
    const there = await this.tree(parent);
    const diff = this.knownDiff(parent, sha) ?? compareListings(there, here);
    return { ...info, ...diff };
  }

  private async readCommit(sha: string): Promise<{ commit: PathCommit; parents: string[] }> {
    let data: Awaited<ReturnType<GitHubClient["octokit"]["git"]["getCommit"]>>["data"];
    try {
      ({ data } = await this.client.octokit.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: sha }));
    } catch (error) {
      throw toGitHubError(error, this.context(sha));
    }
    const info = {
      commit: {
        sha: data.sha,
        date: data.committer.date ?? data.author.date ?? "",
        author: data.author.name ?? "",
        message: data.message,
        url: data.html_url,
      },
      parents: data.parents.map((p) => p.sha),
    };
    this.remember(sha, info);
    return info;
  }

  private remember(sha: string, info: { commit: PathCommit; parents: string[] }): void {
    this.commits.set(sha, info);
    // A commit never changes; the bound only keeps a long-running server's memory flat.
    if (this.commits.size > 4096) for (const oldest of this.commits.keys()) if (this.commits.delete(oldest)) break;
  }

  /** Content of one blob, from the cache or one request (concurrent reads of a SHA share it). */
  async readBlob(file: RepoFile): Promise<string> {
    if (file.size > this.maxBlobBytes) throw new BlobTooLargeError(file.path, file.size, this.maxBlobBytes);
    const cached = this.blobs.get(file.sha);
    if (cached !== undefined) return cached;
    const running = this.inflight.get(file.sha);
    if (running) return await running;
    const job = this.fetchBlob(file).finally(() => this.inflight.delete(file.sha));
    this.inflight.set(file.sha, job);
    return await job;
  }

  private async fetchBlob(file: RepoFile): Promise<string> {
    try {
      const { data } = await this.client.octokit.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: file.sha });
      const bytes = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
      // The cache is shared and trusted forever, so only store content that hashes to its SHA.
      if (gitBlobSha(bytes) !== file.sha)
        throw new GitHubError("unexpected", `GitHub returned content for ${file.path} that does not match blob ${file.sha}`, 502);
      const text = bytes.toString("utf8");
      this.blobs.set(file.sha, text);
      return text;
    } catch (error) {
      throw toGitHubError(error, this.context());
    }
  }

  /** Commits that touched any of the paths, newest first (one listCommits per path). */
  async history(paths: readonly string[], options: { ref?: string; limit?: number } = {}): Promise<PathCommit[]> {
    const limit = Math.min(options.limit ?? 30, 100);
    const ref = options.ref ?? (await this.getDefaultBranch());
    const byPath = await mapLimit(paths.length > 0 ? paths : [""], this.concurrency, async (path) => {
      try {
        const { data } = await this.client.octokit.repos.listCommits({
          owner: this.owner,
          repo: this.repo,
          sha: ref,
          per_page: limit,
          ...(path ? { path } : {}),
        });
        return data;
      } catch (error) {
        throw toGitHubError(error, this.context(ref));
      }
    });
    const seen = new Map<string, PathCommit>();
    for (const commits of byPath) {
      for (const c of commits) {
        if (!this.commits.has(c.sha))
          this.remember(c.sha, {
            commit: {
              sha: c.sha,
              date: c.commit.committer?.date ?? c.commit.author?.date ?? "",
              author: c.commit.author?.name ?? c.author?.login ?? "",
              message: c.commit.message,
              url: c.html_url,
            },
            parents: c.parents.map((p) => p.sha),
          });
        if (seen.has(c.sha)) continue;
        seen.set(c.sha, {
          sha: c.sha,
          date: c.commit.committer?.date ?? c.commit.author?.date ?? "",
          author: c.commit.author?.name ?? c.author?.login ?? "",
          message: c.commit.message,
          url: c.html_url,
        });
      }
    }
    return [...seen.values()].sort((a, b) => Date.parse(b.date) - Date.parse(a.date)).slice(0, limit);
  }
}

type TreeEntry = { path?: string; mode?: string; type?: string; sha?: string; size?: number };

/**
 * A commit's recursive tree as a listing, read against `base` (the tree read before it): a file
 * whose entry is unchanged is `base`'s object, the path map is `base`'s with this tree's changes
 * on top, and the difference from `base` is kept with it.
 */
function readListing(commit: string, treeSha: string, entries: readonly TreeEntry[], base: TreeListing | undefined): TreeListing {
  const files: GitHubRepoFile[] = [];
  if (!base) {
    for (const e of entries) {
      if (e.type !== "blob" || !e.path || !e.sha) continue;
      files.push({ path: e.path, sha: e.sha, size: e.size ?? 0, mode: e.mode ?? "100644" });
    }
    return { commit, treeSha, files, byPath: new Map(files.map((f) => [f.path, f])) };
  }
  const diff: TreeDiff = { changed: [], added: [], removed: [] };
  const byPath = OverlayMap.of(base.byPath);
  let kept = 0;
  for (const e of entries) {
    if (e.type !== "blob" || !e.path || !e.sha) continue;
    const mode = e.mode ?? "100644";
    const was = base.byPath.get(e.path);
    if (was && was.sha === e.sha && was.mode === mode) {
      files.push(was);
      kept++;
      continue;
    }
    const f = { path: e.path, sha: e.sha, size: e.size ?? 0, mode };
    files.push(f);
    byPath.set(e.path, f);
    if (was) {
      kept++;
      diff.changed.push(e.path);
    } else diff.added.push(e.path);
  }
  // Every path of `base` is still here unless fewer of them were seen than it has.
  if (kept !== base.byPath.size) {
    const here = new Set(files.map((f) => f.path));
    for (const p of base.byPath.keys())
      if (!here.has(p)) {
        diff.removed.push(p);
        byPath.delete(p);
      }
  }
  return { commit, treeSha, files, byPath, from: { commit: base.commit, diff } };
}

export function createGitHubReader(options: GitHubReaderOptions): GitHubRepoReader {
  return new GitHubRepoReader(options);
}
