/**
 * `npm run demo -- --repo <path>`: a private copy of someone's own GitOps repository for the
 * demo's GitHub stand-in to serve. A git repository is cloned bare (one branch, its last
 * `depth` commits); a plain directory becomes one commit of its files. The source is only ever
 * read: no remote is added to it, nothing is fetched into it, and only plumbing that writes nothing
 * runs in it (with --no-optional-locks besides). The copy keeps no remote pointing back at it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { GitStore } from "../../github-stand-in/git-store";

const run = promisify(execFile);

/** How much history a git repository brings: enough for timelines and "running since", bounded for large ones. */
export const DEFAULT_DEPTH = 500;
/** Files Ladder never reads (its YAML limit is 1 MiB): a plain directory's copy leaves them out. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Never part of a GitOps layout, and often huge. */
const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "node_modules"]);

export interface ImportedRepository {
  kind: "git" | "directory";
  /** The source, resolved. */
  source: string;
  branch: string;
  head: string;
  /** Commits the copy holds. */
  commits: number;
  /** The copy holds only the last `depth` commits of a longer history. */
  shallow: boolean;
  depth?: number;
  /** A directory: files committed, and those left out with the reason. */
  files?: number;
  skipped?: { path: string; reason: string }[];
}

export class ImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ImportError";
  }
}

/** git read-only in the source: plumbing that writes nothing, without even optional locks. */
async function sourceGit(source: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["--no-optional-locks", "-c", `safe.directory=${source}`, "-C", source, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Whether `source` is itself a git repository: a checkout's top level or a bare repository. */
async function isGitRepository(source: string): Promise<boolean> {
  const bare = await sourceGit(source, ["rev-parse", "--is-bare-repository"]);
  if (bare === "true") return (await sourceGit(source, ["rev-parse", "--absolute-git-dir"])) === source;
  if (bare !== "false") return false;
  const top = await sourceGit(source, ["rev-parse", "--show-toplevel"]);
  return top !== undefined && (await realpath(top)) === source;
}

async function currentBranch(source: string): Promise<string> {
  const head = await sourceGit(source, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (!head) throw new ImportError(`${source}: HEAD is not on a branch; name one with --branch <name>`);
  return head;
}

export interface SourceInfo {
  /** The source directory, resolved (symbolic links followed). */
  source: string;
  kind: "git" | "directory";
  /** The branch the copy serves. */
  branch: string;
}

/** What `source` is and which branch a copy of it serves, read without writing to it. */
export async function inspectSource(source: string, branch?: string): Promise<SourceInfo> {
  let resolved: string;
  try {
    resolved = await realpath(path.resolve(source));
  } catch (error) {
    throw new ImportError(`${source}: no such directory`, { cause: error });
  }
  if (!(await lstat(resolved)).isDirectory()) throw new ImportError(`${resolved} is not a directory`);
  if (!(await isGitRepository(resolved))) return { source: resolved, kind: "directory", branch: branch ?? "main" };
  const chosen = branch ?? (await currentBranch(resolved));
  if ((await sourceGit(resolved, ["rev-parse", "--verify", "--quiet", `refs/heads/${chosen}^{commit}`])) === undefined) {
    const branches = (await sourceGit(resolved, ["for-each-ref", "--format=%(refname:short)", "refs/heads/"])) ?? "";
    throw new ImportError(
      `${resolved} has no branch '${chosen}' (its branches: ${branches.split("\n").filter(Boolean).join(", ") || "none"})`,
    );
  }
  return { source: resolved, kind: "git", branch: chosen };
}

async function importGit({ source, branch }: SourceInfo, into: string, depth: number): Promise<ImportedRepository> {
  // --no-local: objects are copied through git's own transport, never hard-linked to the source's
  // files (so a write to the copy can never reach them), and --depth applies. The path is
  // absolute, so git never reads it as host:path.
  const args = ["clone", "--bare", "--no-local", "--single-branch", "--no-tags", "--quiet", "--branch", branch];
  if (depth > 0) args.push("--depth", String(depth));
  try {
    await run("git", ["--no-optional-locks", "-c", `safe.directory=${source}`, ...args, "--", source, into], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new ImportError(`cloning ${source} failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`, {
      cause: error,
    });
  }
  const copy = new GitStore(into);
  try {
    // The copy must not point back at the source: nothing the stand-in does could then reach it.
    await copy.run(["remote", "remove", "origin"]);
    await copy.run(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
    const head = (await copy.resolve(`refs/heads/${branch}`)) ?? "";
    const commits = Number((await copy.run(["rev-list", "--count", head])).trim());
    const shallow = (await copy.run(["rev-parse", "--is-shallow-repository"])).trim() === "true";
    return { kind: "git", source, branch, head, commits, shallow, ...(depth > 0 ? { depth } : {}) };
  } finally {
    copy.close();
  }
}

interface WalkedFile {
  rel: string;
  abs: string;
  executable: boolean;
}

async function walk(root: string, skipped: { path: string; reason: string }[]): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const visit = async (dir: string, prefix: string) => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: prefix || ".", reason: `not readable (${(error as NodeJS.ErrnoException).code ?? "error"})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name)) skipped.push({ path: rel, reason: "never part of a GitOps layout" });
        else await visit(abs, rel);
      } else if (entry.isSymbolicLink()) skipped.push({ path: rel, reason: "a symbolic link" });
      else if (!entry.isFile()) skipped.push({ path: rel, reason: "not a regular file" });
      else if (entry.name === ".git") skipped.push({ path: rel, reason: "a git link file" });
      else if (/[\n\r\0]/.test(rel)) skipped.push({ path: rel, reason: "a line break in its name" });
      else {
        const stat = await lstat(abs);
        if (stat.size > MAX_FILE_BYTES) skipped.push({ path: rel, reason: `${stat.size} bytes, over the 1 MiB Ladder reads` });
        else out.push({ rel, abs, executable: (stat.mode & 0o111) !== 0 });
      }
    }
  };
  await visit(root, "");
  return out;
}

async function importDirectory({ source, branch }: SourceInfo, into: string): Promise<ImportedRepository> {
  const skipped: { path: string; reason: string }[] = [];
  const files = await walk(source, skipped);
  if (files.length === 0) throw new ImportError(`${source} holds no file to serve`);
  const copy = await GitStore.init(into, branch);
  try {
    // One hash-object for every file: thousands of files in one process, not one process each.
    const shas = (
      await copy.run(["hash-object", "-w", "--no-filters", "--stdin-paths"], {
        input: `${files.map((f) => f.abs).join("\n")}\n`,
      })
    )
      .split("\n")
      .filter(Boolean);
    if (shas.length !== files.length) throw new ImportError(`hashing ${source}: ${shas.length} of ${files.length} files`);
    const index = path.join(into, `import-index-${randomBytes(6).toString("hex")}`);
    const env = { GIT_INDEX_FILE: index };
    const entries = files.map((f, i) => `${f.executable ? "100755" : "100644"} ${shas[i]}\t${f.rel}\0`).join("");
    await copy.run(["update-index", "-z", "--index-info"], { env, input: entries });
    const tree = (await copy.run(["write-tree"], { env })).trim();
    await rm(index, { force: true });
    const identity = { name: "ladder demo", email: "demo@ladder.invalid" };
    const head = await copy.commitTree(
      tree,
      [],
      `Snapshot of ${path.basename(source)}\n\nImported by \`npm run demo -- --repo\` from a directory that is not a git repository.\n`,
      identity,
    );
    if (!(await copy.updateRef(`refs/heads/${branch}`, head))) throw new ImportError(`could not create branch ${branch}`);
    await copy.run(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
    return { kind: "directory", source, branch, head, commits: 1, shallow: false, files: files.length, skipped };
  } finally {
    copy.close();
  }
}

/**
 * Copies the source into a new bare repository at `into`: built beside it and renamed into place,
 * so an import that fails half-way leaves nothing a later run would mistake for a copy.
 */
export async function importRepository(
  info: SourceInfo,
  into: string,
  options: { depth?: number } = {},
): Promise<ImportedRepository> {
  const building = `${into}.importing-${randomBytes(6).toString("hex")}`;
  try {
    const imported =
      info.kind === "git"
        ? await importGit(info, building, options.depth ?? DEFAULT_DEPTH)
        : await importDirectory(info, building);
    await rename(building, into);
    return imported;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

/** One line for the terminal: what the copy holds. */
export function describeImport(imported: ImportedRepository): string {
  if (imported.kind === "directory") {
    const skipped = imported.skipped?.length ? `, ${imported.skipped.length} left out` : "";
    return `one commit of its ${imported.files} files${skipped}, as branch ${imported.branch}`;
  }
  const bound = imported.shallow
    ? `the last ${imported.commits} commits`
    : `all ${imported.commits} commit${imported.commits === 1 ? "" : "s"}`;
  return `${bound} of ${imported.branch}`;
}
