/**
 * RepoReader over GitHub in a handful of requests per commit, not per file:
 *   - the branch ref, conditional on its ETag (GitHub does not charge a 304);
 *   - one recursive tree per commit (a commit's tree never changes, so it is kept);
 *   - blobs only when their SHA is not in the content-addressed cache.
 * A warm read with no new commit is one request; after a one-file commit it is three.
 */
import type { PathCommit, RepoFile, RepoReader, RepoSnapshot } from "../snapshot/types";
import { mapLimit } from "../util/map-limit";
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
  treeSha: string;
  files: GitHubRepoFile[];
  byPath: Map<string, GitHubRepoFile>;
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
    const files: GitHubRepoFile[] = [];
    for (const entry of data.tree) {
      if (entry.type !== "blob" || !entry.path || !entry.sha) continue;
      files.push({ path: entry.path, sha: entry.sha, size: entry.size ?? 0, mode: entry.mode ?? "100644" });
    }
    const listing: TreeListing = { treeSha: data.sha, files, byPath: new Map(files.map((f) => [f.path, f])) };
    this.trees.set(commit, listing);
    for (const oldest of this.trees.keys()) {
      if (this.trees.size <= this.treeCacheSize) break;
      this.trees.delete(oldest);
    }
    return listing;
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

export function createGitHubReader(options: GitHubReaderOptions): GitHubRepoReader {
  return new GitHubRepoReader(options);
}
