/**
 * Evidence from git history: what an app ran in one environment, commit by commit. The path
 * history of the environment's own files is re-resolved at each historical commit (bounded), then
 * folded into segments: "from this commit until that one, the environment ran digest D". The app
 * page's timeline and the promotion evidence ("has run in staging since …") are both read off
 * those segments. The same walk follows a chart's version or a remote base's ref (`follow`),
 * segments then keyed by version.
 *
 * Each historical commit's scan is made from the one before it in the walk (newer), by a refresh:
 * the read index names the cells whose files differ between the two commits, and only those are
 * resolved again (RepositoryService.scanAt, cached by commit SHA), instead of a full scan of the
 * whole repository at every commit.
 */
import { normaliseRepository } from "../gitops/image-ref";
import type { Artifact, Cell, ImageReference, ScanResult } from "../gitops/types";
import type { RepositoryService } from "../repository-service/repository-service";
import type { PathCommit, RepoSnapshot } from "../snapshot/types";

export interface TimelineSegment {
  /** Null when the image was not deployed (or not pinned) in that period (always null following an artifact). */
  digest: string | null;
  tag: string | null;
  /** Following an artifact: its version in that period (null: none set). Absent following an image. */
  version?: string | null;
  /** False when the app/environment/image did not exist at that commit. */
  deployed: boolean;
  /** ISO time the state began (the commit's committer date). */
  from: string;
  /** ISO time it ended, null while it is still the current state. */
  to: string | null;
  /** The commit that put this state in place. */
  commit: string;
  author: string;
  message: string;
  url?: string;
}

export interface Timeline {
  app: string;
  env: string;
  /** Normalised image repository followed, null when the cell has none (or an artifact is followed). */
  image: string | null;
  /** The chart or remote base followed instead of an image. */
  artifact?: { kind: Artifact["kind"]; name: string };
  /** Newest first. */
  segments: TimelineSegment[];
  /** The history limit was reached: the oldest segment may have started earlier. */
  truncated: boolean;
  commitsChecked: number;
  paths: string[];
}

/** One historical commit and what the cell ran there (undefined: the cell, image or artifact did not exist). */
export interface CommitState {
  commit: PathCommit;
  /** What it ran of the followed image (digest, tag), or of the followed artifact (`version`, digest and tag null). */
  image: (Pick<ImageReference, "digest" | "tag"> & { version?: string | null }) | undefined;
}

const MAX_COMMITS = 100;
export const DEFAULT_EVIDENCE_COMMITS = 30;

/** Picks the image of a cell: by (normalised) repository when given, else the cell's only image. */
export function pickImage(cell: Cell | undefined, image: string | undefined): ImageReference | undefined {
  if (!cell) return undefined;
  if (image) {
    const wanted = normaliseRepository(image.replace(/@.*$/, "").replace(/:([^/:]+)$/, ""));
    return cell.images.find((i) => i.repositoryNormalised === wanted || i.repository === image);
  }
  if (cell.images.length === 1) return cell.images[0];
  // An environment that fans out lists each target's image: one repository, several versions.
  // Its own history is that of the image its shared directory sets for every target.
  const repositories = new Set(cell.images.map((i) => i.repositoryNormalised));
  if (repositories.size !== 1) return undefined;
  return cell.images.find((i) => cell.ownFiles.includes(i.source.file)) ?? cell.images[0];
}

/** Folds newest-first commit states into newest-first segments of equal digest (and tag). */
export function buildSegments(states: readonly CommitState[]): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  // Walk oldest → newest so each segment begins at the first commit that set its state.
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i] as CommitState;
    const digest = s.image?.digest ?? null;
    const tag = s.image?.tag ?? null;
    const version = s.image?.version;
    const deployed = s.image !== undefined;
    const current = segments.at(-1);
    if (
      current &&
      current.digest === digest &&
      current.tag === tag &&
      current.version === version &&
      current.deployed === deployed
    )
      continue;
    if (current) current.to = s.commit.date;
    segments.push({
      digest,
      tag,
      ...(version !== undefined ? { version } : {}),
      deployed,
      from: s.commit.date,
      to: null,
      commit: s.commit.sha,
      author: s.commit.author,
      message: s.commit.message.split("\n")[0] ?? "",
      ...(s.commit.url ? { url: s.commit.url } : {}),
    });
  }
  return segments.reverse();
}

/** What history says about one run of something (a digest, an artifact's version) in one environment. */
export interface RunEvidence {
  env: string;
  /** It appears anywhere in the examined history. */
  observed: boolean;
  /** It is what the environment runs at the branch head. */
  runningNow: boolean;
  /** Start of its latest run there (ISO), and the commit that started it. */
  since: string | null;
  commit: string | null;
  author: string | null;
  url?: string;
  /** When its latest run ended (null while running). */
  until: string | null;
  /** Length of the latest run, up to now when still running. */
  ranForMs: number;
  /** History was cut at the limit inside this run: it has run at least since `since`. */
  sinceIsLowerBound: boolean;
  commitsChecked: number;
  truncated: boolean;
}

export interface DigestEvidence extends RunEvidence {
  digest: string;
  /** The tag it ran with in its latest run (null: a bare digest, or never observed). */
  tag: string | null;
}

/** The evidence for a chart version or a remote base's ref. */
export interface VersionEvidence extends RunEvidence {
  artifact: { kind: Artifact["kind"]; name: string };
  version: string;
}

/** What the timeline says about one digest. Pure. */
export function digestEvidence(timeline: Timeline, digest: string, now: Date): DigestEvidence {
  const index = timeline.segments.findIndex((s) => s.digest === digest);
  return { ...runEvidence(timeline, index, now), digest, tag: timeline.segments[index]?.tag ?? null };
}

/** What a timeline that follows an artifact says about one of its versions. Pure. */
export function versionEvidence(
  timeline: Timeline,
  artifact: { kind: Artifact["kind"]; name: string },
  version: string,
  now: Date,
): VersionEvidence {
  const index = timeline.segments.findIndex((s) => s.deployed && s.version === version);
  return { ...runEvidence(timeline, index, now), artifact, version };
}

/** The latest run: the newest segment at `index` (-1: never observed). */
function runEvidence(timeline: Timeline, index: number, now: Date): RunEvidence {
  const seg = index >= 0 ? timeline.segments[index] : undefined;
  const base = { env: timeline.env, commitsChecked: timeline.commitsChecked, truncated: timeline.truncated };
  if (!seg) {
    return {
      ...base,
      observed: false,
      runningNow: false,
      since: null,
      commit: null,
      author: null,
      until: null,
      ranForMs: 0,
      sinceIsLowerBound: false,
    };
  }
  const end = seg.to ? Date.parse(seg.to) : now.getTime();
  return {
    ...base,
    observed: true,
    runningNow: index === 0 && seg.to === null,
    since: seg.from,
    commit: seg.commit,
    author: seg.author,
    ...(seg.url ? { url: seg.url } : {}),
    until: seg.to,
    ranForMs: Math.max(0, end - Date.parse(seg.from)),
    sinceIsLowerBound: timeline.truncated && index === timeline.segments.length - 1,
  };
}

// ---------------------------------------------------------------- history reads

/**
 * The cell at each commit (undefined where the app or environment did not exist), in the order
 * given (newest first): each commit's scan refreshed from the previous one's.
 */
async function cellsAt(
  repo: RepositoryService,
  commits: readonly PathCommit[],
  app: string,
  env: string,
): Promise<(Cell | undefined)[]> {
  // A commit not scanned yet reads its snapshot and the next three's (a tree request each on GitHub).
  const reads = new Map<number, Promise<RepoSnapshot>>();
  const read = (i: number): Promise<RepoSnapshot> => {
    let r = reads.get(i);
    if (!r) {
      r = repo.reader.snapshot(commits[i]?.sha ?? "");
      // A read ahead may never be needed (that commit's scan was cached): its failure surfaces when it is.
      r.catch(() => undefined);
      reads.set(i, r);
    }
    return r;
  };
  const out: (Cell | undefined)[] = [];
  let near: ScanResult | undefined;
  for (const [i, commit] of commits.entries()) {
    const scan = await repo.scanAt(commit.sha, near, () => {
      for (let j = i + 1; j < Math.min(i + 4, commits.length); j++) read(j);
      return read(i);
    });
    out.push(scan.apps.find((a) => a.name === app)?.environments[env]);
    near = scan;
  }
  return out;
}

/** The paths whose history decides what a cell runs: its own path(s), plus a shared file the image (or artifact) is set in. */
export function historyPaths(cell: Cell, image: ImageReference | undefined, artifact?: Artifact): string[] {
  const paths = new Set([cell.path, ...(cell.extraPaths ?? [])]);
  if (image?.inherited) paths.add(image.source.file);
  if (artifact && !cell.ownFiles.includes(artifact.source.file)) paths.add(artifact.source.file);
  return [...paths];
}

/** The artifact a cell runs of a kind and name: the one its own files set when there are several (a fan-out). */
export function pickArtifact(cell: Cell | undefined, kind: Artifact["kind"], name: string): Artifact | undefined {
  const matches = (cell?.artifacts ?? []).filter((a) => a.kind === kind && a.name === name);
  if (matches.length <= 1) return matches[0];
  return matches.find((a) => cell?.ownFiles.includes(a.source.file)) ?? matches[0];
}

/** What a timeline follows: an image by repository (the default), or an artifact by kind and name. */
export type TimelineFollow =
  | { kind: "image"; repository?: string }
  | { kind: "artifact"; artifactKind: Artifact["kind"]; name: string };

export interface TimelineRequest {
  app: string;
  env: string;
  /** Image repository (as scanned or normalised); default: the cell's only image. */
  image?: string;
  /** Follow an artifact (a chart, a remote base) instead of an image; `image` is then ignored. */
  follow?: TimelineFollow;
  /** Commits of path history to examine (default 30, at most 100). */
  limit?: number;
  /** Cell at the branch head, when the caller has already scanned it. */
  cell?: Cell;
}

/** What `app` ran in `env` over the history of its paths, newest first. */
export async function environmentTimeline(repo: RepositoryService, request: TimelineRequest): Promise<Timeline> {
  const cell = request.cell ?? (await repo.current()).scan.apps.find((a) => a.name === request.app)?.environments[request.env];
  const empty: Timeline = {
    app: request.app,
    env: request.env,
    image: null,
    segments: [],
    truncated: false,
    commitsChecked: 0,
    paths: [],
  };
  if (!cell) return empty;
  if (request.follow?.kind === "artifact") return artifactTimeline(repo, request, cell, request.follow);
  const ref = pickImage(cell, request.follow?.repository ?? request.image);
  const named = request.follow?.repository ?? request.image;
  const followed = ref?.repositoryNormalised ?? (named ? normaliseRepository(named) : undefined);
  if (!followed) return { ...empty, paths: historyPaths(cell, undefined) };
  const limit = Math.min(Math.max(request.limit ?? DEFAULT_EVIDENCE_COMMITS, 1), MAX_COMMITS);
  const paths = historyPaths(cell, ref);
  const commits = await repo.history(paths, { limit });
  const cells = await cellsAt(repo, commits, request.app, request.env);
  const states = commits.map((commit, i): CommitState => {
    const image = cells[i]?.images.find((im) => im.repositoryNormalised === followed);
    return { commit, image: image ? { digest: image.digest, tag: image.tag } : undefined };
  });
  return {
    app: request.app,
    env: request.env,
    image: followed,
    segments: buildSegments(states),
    truncated: commits.length >= limit,
    commitsChecked: commits.length,
    paths,
  };
}

/** What version of one artifact `app` ran in `env` over the history of its paths, newest first. */
async function artifactTimeline(
  repo: RepositoryService,
  request: TimelineRequest,
  cell: Cell,
  follow: Extract<TimelineFollow, { kind: "artifact" }>,
): Promise<Timeline> {
  const limit = Math.min(Math.max(request.limit ?? DEFAULT_EVIDENCE_COMMITS, 1), MAX_COMMITS);
  const paths = historyPaths(cell, undefined, pickArtifact(cell, follow.artifactKind, follow.name));
  const commits = await repo.history(paths, { limit });
  const cells = await cellsAt(repo, commits, request.app, request.env);
  const states = commits.map((commit, i): CommitState => {
    const matches = (cells[i]?.artifacts ?? []).filter((a) => a.kind === follow.artifactKind && a.name === follow.name);
    // Several places (a fan-out's targets): the one the environment's own path sets, as pickArtifact does at the head.
    const own = matches.find((a) => a.source.file.startsWith(`${cell.path}/`) || a.source.file === cell.path) ?? matches[0];
    return { commit, image: own ? { digest: null, tag: null, version: own.version } : undefined };
  });
  return {
    app: request.app,
    env: request.env,
    image: null,
    artifact: { kind: follow.artifactKind, name: follow.name },
    segments: buildSegments(states),
    truncated: commits.length >= limit,
    commitsChecked: commits.length,
    paths,
  };
}
