/**
 * One GitOps repository as Ladder sees it: the branch head, its scan (the app ×
 * environment matrix) and the history of paths. Scans are cached by commit SHA,
 * which never changes meaning, so every replica computes the same answer and a
 * page view with no new commit costs one conditional request upstream.
 */
import { isValidLadderYaml } from "../gitops/ladder-yaml-status";
import { readIndex } from "../gitops/read-index";
import { refreshScan } from "../gitops/refresh-scan";
import { scanRepository } from "../gitops/scan";
import type { ScanResult } from "../gitops/types";
import type { PathCommit, RepoReader, RepoSnapshot } from "../snapshot/types";
import { PromiseCache } from "../util/promise-cache";
import {
  buildLastChangeIndex,
  cellLastChanges,
  deriveLastChangeIndex,
  type LastChangeIndex,
  lastChangesFromTrees,
  pathChanges,
} from "./last-change-index";

export interface RepositoryView {
  /** "owner/name" */
  repository: string;
  branch: string;
  snapshot: RepoSnapshot;
  scan: ScanResult;
  /** When this process last confirmed the branch head. */
  checkedAt: Date;
}

export interface RepositoryServiceOptions {
  repository: string;
  branch: string;
  reader: RepoReader;
  /** Render every Kustomize cell with kubectl/kustomize (true), none (false), or by default only those static reading cannot follow. */
  render?: boolean;
  /** Scans kept in memory (one per commit). */
  cacheSize?: number;
  /**
   * How long a confirmed branch head is reused without asking upstream. Many
   * viewers then cost one conditional request per interval, not one each; a
   * push webhook clears it at once.
   */
  headTtlMs?: number;
  /** The repository's web page (https://github.com/owner/name), for links. */
  webUrl?: string;
  now?: () => Date;
}

export class RepositoryService {
  readonly repository: string;
  readonly branch: string;
  readonly reader: RepoReader;
  readonly webUrl: string | undefined;
  private readonly scans: PromiseCache<string, ScanResult>;
  /** Undefined: render only the Kustomize cells static reading cannot follow (scanRepository's default). */
  private readonly render: boolean | undefined;
  private readonly now: () => Date;
  private last: RepositoryView | undefined;
  private readonly headTtlMs: number;
  private readonly histories = new PromiseCache<string, PathCommit[]>(512);
  private readonly changeIndexes = new PromiseCache<string, LastChangeIndex>(16);
  /** Indexes already made, by `${commit}|${depth}`: a child's is made from its parent's. */
  private readonly madeIndexes = new Map<string, LastChangeIndex>();
  private readonly cellChanges = new PromiseCache<string, Map<string, PathCommit>>(4);
  /**
   * Scans of historical commits (timelines, evidence), each made from a neighbour's: small, since
   * they share all but their changes with it (a full rescan, after a ladder.yaml change, is not).
   */
  private readonly historicalScans = new PromiseCache<string, ScanResult>(32);
  private refreshing: Promise<RepositoryView> | undefined;

  constructor(options: RepositoryServiceOptions) {
    this.repository = options.repository;
    this.branch = options.branch;
    this.reader = options.reader;
    this.scans = new PromiseCache(options.cacheSize ?? 8);
    this.render = options.render;
    this.now = options.now ?? (() => new Date());
    this.headTtlMs = options.headTtlMs ?? 5_000;
    this.webUrl = options.webUrl;
  }

  /** Link to a commit on the web, when the web URL is known. */
  commitUrl(sha: string): string | undefined {
    return this.webUrl ? `${this.webUrl}/commit/${sha}` : undefined;
  }

  get owner(): string {
    return this.repository.split("/")[0] ?? "";
  }

  get name(): string {
    return this.repository.split("/")[1] ?? "";
  }

  /** The branch head now (one conditional request when nothing moved; none within headTtlMs). */
  async current(): Promise<RepositoryView> {
    const last = this.last;
    if (last && this.now().getTime() - last.checkedAt.getTime() < this.headTtlMs) return last;
    // Concurrent callers share one upstream read.
    this.refreshing ??= (async () => {
      try {
        const snapshot = await this.reader.snapshot(this.branch);
        // A new head is a refresh of the last one: only cells whose inputs changed are resolved again.
        const scan = await this.scanOf(snapshot, last?.scan);
        this.last = { repository: this.repository, branch: this.branch, snapshot, scan, checkedAt: this.now() };
        return this.last;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** A specific commit (e.g. the one a user looked at when they clicked Promote). */
  async at(commit: string): Promise<RepositoryView> {
    const snapshot = await this.reader.snapshot(commit);
    return {
      repository: this.repository,
      branch: this.branch,
      snapshot,
      // A refresh of the head's scan: an earlier commit differs from it in a few files.
      scan: await this.scanOf(snapshot, this.last?.scan),
      checkedAt: this.now(),
    };
  }

  /** The most recent view without asking upstream, if there is one. */
  peek(): RepositoryView | undefined {
    return this.last;
  }

  /**
   * Commits that touched any of the paths, newest first. History below a
   * commit never changes, so answers are cached by (commit, paths).
   */
  async history(paths: readonly string[], options?: { ref?: string; limit?: number }): Promise<PathCommit[]> {
    const ref = options?.ref ?? (await this.current()).snapshot.commit;
    const limit = options?.limit ?? 30;
    const key = `${ref}|${limit}|${paths.join("\0")}`;
    return this.histories.get(key, () => this.reader.history(paths, { ref, limit }));
  }

  /**
   * For each path, the newest commit (within the last `depth` commits of the branch) that changed
   * it. Paths unchanged in that window are absent. From the last-change index, which a new head
   * makes from its parent's with one commit's tree diff (last-change-index.ts).
   */
  async lastChanges(view: RepositoryView, depth = 40): Promise<ReadonlyMap<string, PathCommit>> {
    return pathChanges(await this.lastChangeIndex(view, depth));
  }

  /**
   * Each cell's last change (keyed by cellId): the newest commit in the window that changed any
   * file the cell's resolution read, its own or a base, component, patch or values file it builds
   * from. Cached by commit.
   */
  async cellLastChanges(view: RepositoryView, depth = 40): Promise<Map<string, PathCommit>> {
    const index = await this.lastChangeIndex(view, depth);
    return this.cellChanges.get(`${view.snapshot.commit}|${depth}`, async () => cellLastChanges(view.scan, index));
  }

  /** The per-path last-change index of a view's commit, made once per commit (from its parent's when known). */
  async lastChangeIndex(view: RepositoryView, depth = 40): Promise<LastChangeIndex> {
    const sha = view.snapshot.commit;
    const key = (c: string) => `${c}|${depth}`;
    return this.changeIndexes.get(key(sha), async () => {
      const reader = this.reader;
      const commitChange = reader.commitChange?.bind(reader);
      if (sha === "worktree")
        return { commit: sha, depth, chain: [], commits: new Map(), byPath: new Map(), byCommit: new Map() };
      if (!commitChange) return lastChangesFromTrees(reader, view.snapshot, depth);
      const change = await commitChange(sha);
      const parent = change.parents[0] === undefined ? undefined : this.madeIndexes.get(key(change.parents[0]));
      const index = parent
        ? deriveLastChangeIndex(parent, change)
        : await buildLastChangeIndex({ history: reader.history.bind(reader), commitChange }, sha, depth);
      this.madeIndexes.set(key(sha), index);
      // A commit's index is needed only for its children: the newest few.
      for (const oldest of this.madeIndexes.keys()) {
        if (this.madeIndexes.size <= 8) break;
        this.madeIndexes.delete(oldest);
      }
      return index;
    });
  }

  /**
   * The scan of a historical commit, made from `near` (the scan of a commit close to it, such as
   * the next newer one a timeline looked at) by refreshing: only the cells whose reads differ are
   * resolved. Cached by commit; `snapshotOf` reads the commit's snapshot when it is not (the
   * caller's read-ahead).
   */
  async scanAt(commit: string, near?: ScanResult, snapshotOf?: () => Promise<RepoSnapshot>): Promise<ScanResult> {
    const cached = this.last?.snapshot.commit === commit ? this.last.scan : undefined;
    if (cached) return cached;
    return this.historicalScans.get(commit, async () => {
      const snapshot = await (snapshotOf ? snapshotOf() : this.reader.snapshot(commit));
      const from = near ?? this.last?.scan;
      return from
        ? refreshScan(from, snapshot, { render: this.render })
        : indexed(await scanRepository(snapshot, { render: this.render }));
    });
  }

  /** Forget cached scans (a push webhook says the branch moved). */
  invalidate(): void {
    this.last = undefined;
  }

  /** When the branch head was last confirmed upstream. */
  get lastCheckedAt(): Date | undefined {
    return this.last?.checkedAt;
  }

  private scanOf(snapshot: RepoSnapshot, previous?: ScanResult): Promise<ScanResult> {
    return this.scans.get(snapshot.commit, async () => {
      const scan = previous
        ? await refreshScan(previous, snapshot, { render: this.render })
        : indexed(await scanRepository(snapshot, { render: this.render }));
      const status = scan.layout.ladderYaml;
      if (status.state !== "invalid") return scan;
      // Policy stays refused either way; the last valid layout only keeps the matrix readable.
      const earlier = await this.lastValidLadderYaml(snapshot.commit, status.file);
      return earlier ? indexed(await scanRepository(snapshot, { render: this.render, lastValidLadderYaml: earlier })) : scan;
    });
  }

  /** The newest ladder.yaml before `commit` that validates, within the file's last 20 changes. */
  private async lastValidLadderYaml(commit: string, file: string): Promise<{ text: string; commit: string } | undefined> {
    try {
      for (const change of await this.reader.history([file], { ref: commit, limit: 20 })) {
        const text = await (await this.reader.snapshot(change.sha)).read(file);
        // Deleted at that commit: no earlier ladder.yaml was in force after it.
        if (text === undefined) return undefined;
        if (isValidLadderYaml(text, file)) return { text, commit: change.sha };
      }
    } catch (error) {
      console.error(`looking for the last valid ${file} before ${commit} failed; showing the detected layout`, error);
    }
    return undefined;
  }
}

/** A cold scan with its read index built (one pass over its reads), so the next commit's refresh starts from it. */
function indexed(scan: ScanResult): ScanResult {
  readIndex(scan);
  return scan;
}
