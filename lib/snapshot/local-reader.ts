import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { OverlayMap } from "../util/overlay-map";
import type { CommitChange, PathCommit, RepoFile, RepoReader, RepoSnapshot, TreeDiff } from "./types";

const execFileAsync = promisify(execFile);

/** Thrown when a caller asks for a path that would leave the repository. */
export class PathEscapeError extends Error {
  constructor(readonly requested: string) {
    super(`path escapes the repository: ${requested}`);
    this.name = "PathEscapeError";
  }
}

/** A file the reader refused to expose, with the reason (symlink out of the tree, unreadable, …). */
export interface SkippedPath {
  path: string;
  reason: string;
}

export interface LocalSnapshot extends RepoSnapshot {
  /** Paths left out of `files()` and why; scanners surface these as warnings. */
  readonly skipped: readonly SkippedPath[];
}

export interface LocalRepoReader extends RepoReader {
  readonly root: string;
  readonly isGit: boolean;
  snapshot(ref?: string): Promise<LocalSnapshot>;
}

export interface LocalReaderOptions {
  /**
   * Read the working tree even inside a git checkout. Without it a git checkout is read
   * from the index (default) or from `ref`, so the blob SHAs are the ones GitHub would report.
   */
  worktree?: boolean;
}

/**
 * Normalises a repo-relative POSIX path and refuses anything that could leave the tree:
 * absolute paths, `..` segments that climb above the root, NUL bytes, backslashes.
 */
export function normaliseRepoPath(p: string): string {
  if (p.includes("\0") || p.includes("\\")) throw new PathEscapeError(p);
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) throw new PathEscapeError(p);
  const norm = path.posix.normalize(p);
  if (norm === ".." || norm.startsWith("../")) throw new PathEscapeError(p);
  return norm === "." ? "" : norm.replace(/\/$/, "");
}

/** Git's blob id: SHA-1 over `blob <size>\0<content>`. */
export function gitBlobSha(content: Buffer): string {
  const h = createHash("sha1");
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest("hex");
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
  return stdout;
}

async function isInsideGitWorkTree(dir: string): Promise<boolean> {
  try {
    const out = await git(dir, ["rev-parse", "--is-inside-work-tree"]);
    return out.trim() === "true";
  } catch {
    // Not a git checkout (or git missing): the directory walk is the fallback, not an error.
    return false;
  }
}

interface Entry {
  file: RepoFile;
  /** For the directory walk: absolute path to read; for git: undefined (read by SHA). */
  abs?: string;
  /** Content already read while hashing (small files), so it is not read twice. */
  text?: string;
}

/** Files up to this size keep their content from the hashing pass. */
const KEEP_TEXT_BYTES = 1024 * 1024;

/** Reads blobs by SHA through one long-lived `git cat-file --batch` per call. */
async function catFileBatch(cwd: string, shas: readonly string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  if (shas.length === 0) return result;
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`git cat-file --batch exited ${code}: ${stderr}`));
        return;
      }
      const buf = Buffer.concat(chunks);
      let pos = 0;
      while (pos < buf.length) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        const header = buf.subarray(pos, nl).toString();
        const [sha, type, sizeText] = header.split(" ");
        if (type === "missing" || sha === undefined || sizeText === undefined) {
          pos = nl + 1;
          continue;
        }
        const size = Number(sizeText);
        result.set(sha, buf.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
      }
      resolve(result);
    });
    child.stdin.end(`${shas.join("\n")}\n`);
  });
}

const byPathOrder = (a: RepoFile, b: RepoFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** What a git snapshot knows of the tree it came from, for telling what changed since another commit. */
interface GitTree {
  /** Read from a commit (not the index, whose content is not the commit's). */
  fromRef: boolean;
  /** Symlinks were resolved into it (their entries carry the target's blob), or submodules left out. */
  links: boolean;
  /** The snapshot it was derived from and how it differs from it. */
  from?: { commit: string; diff: TreeDiff; list: () => readonly RepoFile[] };
}

class Snapshot implements LocalSnapshot {
  private list: readonly RepoFile[] | undefined;

  constructor(
    readonly commit: string,
    /** Path → entry; a snapshot derived from another shares its map (OverlayMap). */
    private readonly byPath: Map<string, Entry>,
    readonly skipped: SkippedPath[],
    private readonly root: string,
    private readonly viaGit: boolean,
    /** Text by blob SHA: content addressed, so derived snapshots share their parent's. */
    readonly cache: Map<string, string>,
    readonly tree?: GitTree,
  ) {}

  static fromEntries(
    commit: string,
    entries: Entry[],
    skipped: SkippedPath[],
    root: string,
    viaGit: boolean,
    tree?: GitTree,
  ): Snapshot {
    const cache = new Map<string, string>();
    for (const e of entries) {
      if (e.text !== undefined) cache.set(e.file.sha, e.text);
      e.text = undefined;
    }
    const snap = new Snapshot(commit, new Map(entries.map((e) => [e.file.path, e])), skipped, root, viaGit, cache, tree);
    snap.list = entries.map((e) => e.file).sort(byPathOrder);
    return snap;
  }

  /** A snapshot of `commit` made from this one and git's diff of the two trees. */
  derive(commit: string, diff: TreeDiff, files: ReadonlyMap<string, RepoFile>): Snapshot {
    const byPath = OverlayMap.of(this.byPath);
    for (const p of diff.removed) byPath.delete(p);
    for (const p of [...diff.changed, ...diff.added]) {
      const file = files.get(p);
      if (file) byPath.set(p, { file });
    }
    return new Snapshot(commit, byPath, [], this.root, true, this.cache, {
      fromRef: true,
      links: false,
      from: { commit: this.commit, diff, list: () => this.files() },
    });
  }

  files(): readonly RepoFile[] {
    if (this.list) return this.list;
    const from = this.tree?.from;
    if (!from) {
      this.list = [...this.byPath.values()].map((e) => e.file).sort(byPathOrder);
      return this.list;
    }
    // The parent's sorted list with this commit's changes merged in.
    const drop = new Set([...from.diff.changed, ...from.diff.removed]);
    const kept = from.list().filter((f) => !drop.has(f.path));
    const extra = [...from.diff.changed, ...from.diff.added]
      .map((p) => this.byPath.get(p)?.file)
      .filter((f): f is RepoFile => f !== undefined)
      .sort(byPathOrder);
    const list: RepoFile[] = [];
    let i = 0;
    for (const f of kept) {
      while (i < extra.length && byPathOrder(extra[i] as RepoFile, f) < 0) list.push(extra[i++] as RepoFile);
      list.push(f);
    }
    while (i < extra.length) list.push(extra[i++] as RepoFile);
    this.list = list;
    return list;
  }

  file(p: string): RepoFile | undefined {
    return this.byPath.get(p)?.file;
  }

  /** What git says differs from `commit`'s tree to this one (undefined where symlinks or the index make that not this snapshot's difference). */
  async changesSince(commit: string): Promise<TreeDiff | undefined> {
    const from = this.tree?.from;
    if (from?.commit === commit)
      return { changed: [...from.diff.changed], added: [...from.diff.added], removed: [...from.diff.removed] };
    if (!this.viaGit || !this.tree?.fromRef || this.tree.links || !SHA_RE.test(commit)) return undefined;
    return (await treeDiff(this.root, commit, this.commit))?.diff;
  }

  async read(p: string): Promise<string | undefined> {
    const m = await this.readMany([p]);
    return m.get(normaliseRepoPath(p));
  }

  async readMany(paths: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted: Entry[] = [];
    for (const raw of paths) {
      const p = normaliseRepoPath(raw);
      const entry = this.byPath.get(p);
      if (!entry) continue;
      const cached = this.cache.get(entry.file.sha);
      if (cached !== undefined) out.set(p, cached);
      else wanted.push(entry);
    }
    if (wanted.length === 0) return out;
    if (this.viaGit) {
      const blobs = await catFileBatch(this.root, [...new Set(wanted.map((e) => e.file.sha))]);
      for (const e of wanted) {
        const b = blobs.get(e.file.sha);
        if (!b) continue;
        const text = b.toString("utf8");
        this.cache.set(e.file.sha, text);
        out.set(e.file.path, text);
      }
    } else {
      await Promise.all(
        wanted.map(async (e) => {
          if (!e.abs) return;
          const text = await readFile(e.abs, "utf8");
          this.cache.set(e.file.sha, text);
          out.set(e.file.path, text);
        }),
      );
    }
    return out;
  }
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

async function walkDirectory(root: string): Promise<{ entries: Entry[]; skipped: SkippedPath[] }> {
  const realRoot = await realpath(root);
  const entries: Entry[] = [];
  const skipped: SkippedPath[] = [];
  async function visit(absDir: string, relDir: string): Promise<void> {
    const dirents = await readdir(absDir, { withFileTypes: true });
    for (const d of dirents) {
      if (d.name === ".git") continue;
      const abs = path.join(absDir, d.name);
      const rel = relDir ? `${relDir}/${d.name}` : d.name;
      let target = abs;
      if (d.isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = await realpath(abs);
        } catch {
          skipped.push({ path: rel, reason: "dangling symlink" });
          continue;
        }
        if (!isInside(realRoot, resolved)) {
          skipped.push({ path: rel, reason: `symlink points outside the repository (${resolved})` });
          continue;
        }
        target = resolved;
        const st = await stat(target);
        // Following in-tree directory links could loop forever; files are enough for GitOps trees.
        if (st.isDirectory()) {
          skipped.push({ path: rel, reason: "symlink to a directory is not followed" });
          continue;
        }
      } else if (d.isDirectory()) {
        await visit(abs, rel);
        continue;
      } else if (!d.isFile()) {
        continue;
      }
      const content = await readFile(target);
      entries.push({
        file: { path: rel, sha: gitBlobSha(content), size: content.length },
        abs: target,
        text: content.length <= KEEP_TEXT_BYTES ? content.toString("utf8") : undefined,
      });
    }
  }
  await visit(realRoot, "");
  return { entries, skipped };
}

/** Parses `git ls-files -s` or `git ls-tree -r -l` output into entries; symlinks are resolved or refused. */
function parseGitListing(
  text: string,
  kind: "ls-files" | "ls-tree",
): { rows: { mode: string; sha: string; size?: number; path: string }[] } {
  const rows: { mode: string; sha: string; size?: number; path: string }[] = [];
  for (const line of text.split("\0")) {
    if (!line) continue;
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const meta = line.slice(0, tab).trim().split(/\s+/);
    const p = line.slice(tab + 1);
    if (kind === "ls-files") {
      const [mode, sha, stage] = meta;
      if (!mode || !sha || (stage !== undefined && stage !== "0")) continue;
      rows.push({ mode, sha, path: p });
    } else {
      const [mode, type, sha, size] = meta;
      if (!mode || !sha || type !== "blob") continue;
      rows.push({ mode, sha, path: p, size: size === undefined || size === "-" ? undefined : Number(size) });
    }
  }
  return { rows };
}

async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    return (await git(root, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
  } catch (err) {
    throw new Error(`cannot resolve ref ${ref}`, { cause: err });
  }
}

async function gitSnapshot(root: string, ref: string | undefined, resolved?: string): Promise<Snapshot> {
  const listing = ref
    ? parseGitListing(await git(root, ["ls-tree", "-r", "-l", "-z", resolved ?? ref, "--", "."]), "ls-tree")
    : parseGitListing(await git(root, ["ls-files", "-s", "-z"]), "ls-files");
  let commit = resolved ?? "worktree";
  if (!resolved)
    try {
      commit = (await git(root, ["rev-parse", ref ? `${ref}^{commit}` : "HEAD"])).trim();
    } catch (err) {
      // An unborn branch has no HEAD yet; with an explicit ref the failure is the caller's problem.
      if (ref) throw new Error(`cannot resolve ref ${ref}`, { cause: err });
    }
  const skipped: SkippedPath[] = [];
  const regular = listing.rows.filter((r) => r.mode !== "120000" && r.mode !== "160000");
  const shaByPath = new Map(regular.map((r) => [r.path, r.sha]));
  const links = listing.rows.filter((r) => r.mode === "120000");
  const linkTargets = await catFileBatch(
    root,
    links.map((l) => l.sha),
  );
  const entries: Entry[] = [];
  // Sizes: ls-tree -l gives them; for the index ask cat-file once for all blobs.
  const sizes = await blobSizes(
    root,
    regular.filter((r) => r.size === undefined).map((r) => r.sha),
  );
  for (const r of regular) entries.push({ file: { path: r.path, sha: r.sha, size: r.size ?? sizes.get(r.sha) ?? 0 } });
  for (const l of links) {
    const target = linkTargets.get(l.sha)?.toString("utf8") ?? "";
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(l.path), target));
    if (target.startsWith("/") || joined === ".." || joined.startsWith("../")) {
      skipped.push({ path: l.path, reason: `symlink points outside the repository (${target})` });
      continue;
    }
    const sha = shaByPath.get(joined);
    if (!sha) {
      skipped.push({ path: l.path, reason: `symlink target is not a file in the tree (${target})` });
      continue;
    }
    const size = regular.find((r) => r.path === joined)?.size ?? sizes.get(sha) ?? 0;
    entries.push({ file: { path: l.path, sha, size } });
  }
  const special = listing.rows.some((r) => r.mode === "120000" || r.mode === "160000");
  return Snapshot.fromEntries(commit, entries, skipped, root, true, { fromRef: ref !== undefined, links: special });
}

const SHA_RE = /^[0-9a-f]{40}$/;

/** Records of `git diff-tree --raw -z` or `git log --raw -z`: ":<mode> <mode> <sha> <sha> <status>\0<path>\0". */
function parseRaw(tokens: readonly string[]): { diff: TreeDiff; links: boolean; blobs: Map<string, string> } {
  const diff: TreeDiff = { changed: [], added: [], removed: [] };
  const blobs = new Map<string, string>();
  let links = false;
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const meta = tokens[i] ?? "";
    const p = tokens[i + 1] ?? "";
    const [srcMode = "", dstMode = "", , dstSha = "", status = ""] = meta.replace(/^:/, "").split(" ");
    if ([srcMode, dstMode].some((m) => m === "120000" || m === "160000")) links = true;
    if (status === "A") diff.added.push(p);
    else if (status === "D") diff.removed.push(p);
    else diff.changed.push(p);
    if (status !== "D") blobs.set(p, dstSha);
  }
  return { diff, links, blobs };
}

/** Sizes of blobs by SHA, one `git cat-file --batch-check` for all of them. */
async function blobSizes(root: string, shas: Iterable<string>): Promise<Map<string, number>> {
  const wanted = [...new Set(shas)];
  const sizes = new Map<string, number>();
  if (wanted.length === 0) return sizes;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch-check"], { cwd: root });
    let s = "";
    child.stdout.on("data", (c: Buffer) => {
      s += c.toString();
    });
    child.on("error", reject);
    child.on("close", () => resolve(s));
    child.stdin.end(`${wanted.join("\n")}\n`);
  });
  for (const line of out.split("\n")) {
    const [sha, , size] = line.split(" ");
    if (sha && size) sizes.set(sha, Number(size));
  }
  return sizes;
}

/** What differs from one commit's tree to another's, as git compares tree objects (equal subtrees are skipped). */
async function treeDiff(
  root: string,
  from: string,
  to: string,
): Promise<{ diff: TreeDiff; blobs: Map<string, string> } | undefined> {
  const out = await git(root, ["diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", from, to]);
  const parsed = parseRaw(out.split("\0").filter(Boolean));
  // A symlink's entry in a snapshot carries its target's blob: git's diff is not the snapshot's then.
  return parsed.links ? undefined : parsed;
}

/** A snapshot of `commit` made from `base` and git's diff of their trees, or undefined where it cannot be. */
async function derivedSnapshot(root: string, base: Snapshot, commit: string): Promise<Snapshot | undefined> {
  if (!base.tree?.fromRef || base.tree.links) return undefined;
  const d = await treeDiff(root, base.commit, commit);
  if (!d) return undefined;
  const sizes = await blobSizes(root, d.blobs.values());
  const files = new Map<string, RepoFile>();
  for (const [p, sha] of d.blobs) files.set(p, { path: p, sha, size: sizes.get(sha) ?? 0 });
  return base.derive(commit, d.diff, files);
}

/**
 * First-parent history from `sha` (up to `limit` commits) with each commit's change against its
 * first parent, in one `git log`: what the last-change index walks instead of whole trees.
 */
async function firstParentChanges(root: string, sha: string, limit: number): Promise<CommitChange[]> {
  const out = await git(root, [
    "log",
    "--first-parent",
    `-n${limit}`,
    "--format=%x1e%H%x1f%P%x1f%cI%x1f%an%x1f%s%x1f",
    "--raw",
    "-z",
    "--no-renames",
    "--no-abbrev",
    "--diff-merges=first-parent",
    sha,
    "--",
  ]);
  const changes: CommitChange[] = [];
  for (const chunk of out.split("\x1e")) {
    if (!chunk) continue;
    // "<fields>\x1f" then, with -z, a NUL; the raw records follow after a newline.
    const end = chunk.indexOf("\x1f\0");
    const header = end >= 0 ? chunk.slice(0, end) : chunk;
    const [h = "", parents = "", date = "", author = "", message = ""] = header.split("\x1f");
    const rest = end >= 0 ? chunk.slice(end + 2) : "";
    const tokens = (rest.startsWith("\n") ? rest.slice(1) : rest).split("\0").filter(Boolean);
    const { diff } = parseRaw(tokens);
    changes.push({ commit: { sha: h, date, author, message }, parents: parents.split(" ").filter(Boolean), ...diff });
  }
  return changes;
}

/**
 * A RepoReader over a local directory. Inside a git checkout it reads git's own objects so the SHAs match
 * what GitHub reports; elsewhere it walks the directory and computes blob SHAs the way git would.
 */
export async function openLocalRepo(dir: string, options: LocalReaderOptions = {}): Promise<LocalRepoReader> {
  const root = path.resolve(dir);
  const st = await lstat(root);
  if (!st.isDirectory() && !st.isSymbolicLink()) throw new Error(`not a directory: ${root}`);
  const isGit = !options.worktree && (await isInsideGitWorkTree(root));
  // The last commit read: the next one is made from it and git's diff of the two trees.
  let last: Snapshot | undefined;
  const changes = new Map<string, CommitChange>();
  return {
    root,
    isGit,
    async snapshot(ref?: string): Promise<LocalSnapshot> {
      if (isGit && ref) {
        const commit = await resolveCommit(root, ref);
        if (last?.commit === commit) return last;
        const snap = (last && (await derivedSnapshot(root, last, commit))) ?? (await gitSnapshot(root, ref, commit));
        last = snap;
        return snap;
      }
      if (isGit) return gitSnapshot(root, ref);
      if (ref) throw new Error(`${root} is not a git checkout; cannot read ref ${ref}`);
      const { entries, skipped } = await walkDirectory(root);
      return Snapshot.fromEntries("worktree", entries, skipped, root, false);
    },
    async history(paths: readonly string[], opts: { ref?: string; limit?: number } = {}): Promise<PathCommit[]> {
      if (!isGit) return [];
      const safe = paths.map(normaliseRepoPath).map((p) => (p === "" ? "." : p));
      const args = ["log", "--format=%H%x1f%cI%x1f%an%x1f%s%x1e", `-n${opts.limit ?? 50}`];
      if (opts.ref) args.push(opts.ref);
      args.push("--", ...safe);
      let out: string;
      try {
        out = await git(root, args);
      } catch (err) {
        // An unborn branch has no history; anything else is a real failure worth surfacing.
        if (!opts.ref && /does not have any commits|bad default revision/.test(String(err))) return [];
        throw new Error(`git log failed in ${root}`, { cause: err });
      }
      return out
        .split("\x1e")
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => {
          const [sha = "", date = "", author = "", message = ""] = r.split("\x1f");
          return { sha, date, author, message };
        });
    },
    async commitChange(sha: string): Promise<CommitChange> {
      if (!isGit) throw new Error(`${root} is not a git checkout; it has no commits`);
      const cached = changes.get(sha);
      if (cached) return cached;
      // A walk asks for the parent next: read a stretch of first-parent history at once.
      const read = await firstParentChanges(root, SHA_RE.test(sha) ? sha : await resolveCommit(root, sha), 32);
      for (const c of read) changes.set(c.commit.sha, c);
      while (changes.size > 1024) for (const oldest of changes.keys()) if (changes.delete(oldest)) break;
      const found = changes.get(read[0]?.commit.sha ?? sha);
      if (!found) throw new Error(`git log found no commit ${sha} in ${root}`);
      return found;
    },
  };
}
