/**
 * A bare git repository driven with plumbing commands. The test server keeps no file state of
 * its own: refs, trees, blobs and commits all live in git, so SHAs, trees and merges behave
 * exactly as they do on GitHub.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import pLimit from "p-limit";

export const ZERO_SHA = "0000000000000000000000000000000000000000";

export interface GitIdentity {
  name: string;
  email: string;
  /** Unix seconds. */
  time?: number;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  path: string;
  size?: number;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity & { time: number };
  committer: GitIdentity & { time: number };
  message: string;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${args.join(" ")} exited ${code}: ${stderr.trim()}`);
    this.name = "GitCommandError";
  }
}

interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. merge-tree's 1 = conflict). */
  okCodes?: readonly number[];
}

export interface BatchObject {
  sha: string;
  type: string;
  content: Buffer;
}

/**
 * One long-lived `git cat-file --batch`: reading an object costs a pipe round trip instead of a
 * process start, which keeps the server's own overhead out of the benchmark's wall times.
 */
class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (o: BatchObject | undefined) => void; reject: (e: Error) => void }> = [];

  constructor(private readonly dir: string) {}

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn("git", ["cat-file", "--batch"], {
      cwd: this.dir,
      env: { ...process.env, GIT_DIR: this.dir, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
    });
    child.stdout.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    child.stderr.resume();
    const fail = (error: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(error);
      this.child = undefined;
      this.buffer = Buffer.alloc(0);
    };
    child.on("error", fail);
    child.on("close", () => fail(new Error("git cat-file --batch exited")));
    child.stdin.on("error", () => {
      // Reported through "close".
    });
    return child;
  }

  read(rev: string): Promise<BatchObject | undefined> {
    if (rev.includes("\n")) return Promise.resolve(undefined);
    this.child ??= this.start();
    const child = this.child;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(`${rev}\n`);
    });
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const eol = this.buffer.indexOf(10);
      if (eol < 0) return;
      const header = this.buffer.subarray(0, eol).toString("utf8");
      const parts = header.split(" ");
      if (parts.length !== 3 || !/^\d+$/.test(parts[2] ?? "")) {
        // "<rev> missing" or "<rev> ambiguous"
        this.buffer = this.buffer.subarray(eol + 1);
        this.waiting.shift()?.resolve(undefined);
        continue;
      }
      const size = Number(parts[2]);
      if (this.buffer.length < eol + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(eol + 1, eol + 1 + size));
      this.buffer = this.buffer.subarray(eol + 1 + size + 1);
      this.waiting.shift()?.resolve({ sha: parts[0] ?? "", type: parts[1] ?? "", content });
    }
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }
}

export class GitStore {
  private readonly batch: CatFileBatch;

  constructor(readonly dir: string) {
    this.batch = new CatFileBatch(dir);
  }

  /** Any object by revision expression (`<sha>`, `refs/heads/x`, `<commit>:<path>`, `<rev>^{tree}`). */
  async object(rev: string): Promise<BatchObject | undefined> {
    return await this.batch.read(rev);
  }

  close(): void {
    this.batch.close();
  }

  /** Creates (or reuses) a bare repository with `defaultBranch` as HEAD. */
  static async init(dir: string, defaultBranch = "main"): Promise<GitStore> {
    await mkdir(dir, { recursive: true });
    const store = new GitStore(dir);
    await store.run(["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`]);
    return store;
  }

  async runBuffer(args: readonly string[], options: RunOptions = {}): Promise<{ stdout: Buffer; code: number }> {
    return await new Promise((resolvePromise, reject) => {
      const child = spawn("git", ["-c", "core.quotePath=false", ...args], {
        cwd: this.dir,
        env: { ...process.env, GIT_DIR: this.dir, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C", ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code) => {
        const stdout = Buffer.concat(out);
        const ok = code === 0 || (code !== null && (options.okCodes ?? []).includes(code));
        if (ok && code !== null) resolvePromise({ stdout, code });
        else reject(new GitCommandError(args, code, Buffer.concat(err).toString("utf8"), stdout.toString("utf8")));
      });
      child.stdin.on("error", () => {
        // The child may exit before reading stdin (e.g. a bad ref); its exit code reports the problem.
      });
      child.stdin.end(options.input ?? "");
    });
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const { stdout } = await this.runBuffer(args, options);
    return stdout.toString("utf8");
  }

  /** Full SHA of a commit-ish, or undefined. */
  async resolve(rev: string): Promise<string | undefined> {
    return (await this.object(`${rev}^{commit}`))?.sha;
  }

  async resolveRef(fullRef: string): Promise<string | undefined> {
    if (!fullRef.startsWith("refs/")) return undefined;
    const found = await this.object(fullRef);
    return found?.type === "commit" ? found.sha : undefined;
  }

  /** Object type, or undefined when the object does not exist. */
  async objectType(sha: string): Promise<string | undefined> {
    return (await this.object(sha))?.type;
  }

  async listRefs(prefix = "refs/"): Promise<Array<{ ref: string; sha: string }>> {
    const out = await this.run(["for-each-ref", "--format=%(refname) %(objectname)", prefix]);
    return out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [ref = "", sha = ""] = line.split(" ");
        return { ref, sha };
      });
  }

  /**
   * Compare-and-swap update: `expectedOld` of ZERO_SHA means "must not exist"; git itself rejects
   * a mismatch atomically, which is what makes concurrent createRef calls collide like GitHub's.
   */
  async updateRef(fullRef: string, newSha: string, expectedOld?: string): Promise<boolean> {
    try {
      await this.run(expectedOld === undefined ? ["update-ref", fullRef, newSha] : ["update-ref", fullRef, newSha, expectedOld]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError) return false;
      throw error;
    }
  }

  async deleteRef(fullRef: string): Promise<boolean> {
    try {
      await this.run(["update-ref", "-d", fullRef]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError) return false;
      throw error;
    }
  }

  async treeOf(treeish: string): Promise<string | undefined> {
    const found = await this.object(`${treeish}^{tree}`);
    return found?.type === "tree" ? found.sha : undefined;
  }

  /** `ls-tree -l` entries; recursive includes tree entries as GitHub's recursive tree does. */
  async lsTree(treeish: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = recursive ? ["ls-tree", "-r", "-t", "-l", "-z", treeish] : ["ls-tree", "-l", "-z", treeish];
    const out = await this.run(args);
    const entries: TreeEntry[] = [];
    for (const record of out.split("\0")) {
      if (!record) continue;
      const tab = record.indexOf("\t");
      const [mode = "", type = "", sha = "", size = "-"] = record.slice(0, tab).trim().split(/\s+/);
      const entry: TreeEntry = { mode, type: type as TreeEntry["type"], sha, path: record.slice(tab + 1) };
      if (size !== "-") entry.size = Number(size);
      entries.push(entry);
    }
    return entries;
  }

  async readBlob(sha: string): Promise<Buffer> {
    const found = await this.object(sha);
    if (found?.type !== "blob") throw new Error(`${sha} is not a blob`);
    return found.content;
  }

  /**
   * Writes a loose blob object in-process (zlib-deflated `blob <size>\0<content>` at
   * objects/<2>/<38>, as `git hash-object -w` does) instead of starting one git process per
   * blob: a commit of a generated 5,000-app repository (55,000 files) started 55,000 at once
   * and ran out of processes.
   */
  async writeBlob(content: string | Buffer): Promise<string> {
    const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const header = Buffer.from(`blob ${body.length}\0`, "utf8");
    const sha = createHash("sha1").update(header).update(body).digest("hex");
    const file = join(this.dir, "objects", sha.slice(0, 2), sha.slice(2));
    if (!existsSync(file)) {
      await mkdir(dirname(file), { recursive: true });
      // Written aside and renamed: a reader never sees half an object.
      const partial = `${file}.${randomUUID()}.tmp`;
      await writeFile(partial, deflateSync(Buffer.concat([header, body])));
      await rename(partial, file);
    }
    return sha;
  }

  async readCommit(sha: string): Promise<CommitInfo | undefined> {
    const found = await this.object(sha);
    if (found?.type !== "commit") return undefined;
    const raw = found.content.toString("utf8");
    const split = raw.indexOf("\n\n");
    const header = raw.slice(0, split);
    const message = raw.slice(split + 2);
    let tree = "";
    const parents: string[] = [];
    let author: CommitInfo["author"] = { name: "", email: "", time: 0 };
    let committer: CommitInfo["committer"] = { name: "", email: "", time: 0 };
    for (const line of header.split("\n")) {
      const space = line.indexOf(" ");
      const key = line.slice(0, space);
      const value = line.slice(space + 1);
      if (key === "tree") tree = value;
      else if (key === "parent") parents.push(value);
      else if (key === "author" || key === "committer") {
        const m = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(value);
        const identity = { name: m?.[1] ?? "", email: m?.[2] ?? "", time: Number(m?.[3] ?? 0) };
        if (key === "author") author = identity;
        else committer = identity;
      }
    }
    return { sha, tree, parents, author, committer, message };
  }

  async commitTree(
    tree: string,
    parents: readonly string[],
    message: string,
    author: GitIdentity,
    committer: GitIdentity = author,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: `${author.time ?? now} +0000`,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: `${committer.time ?? now} +0000`,
    };
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
    return (await this.run(args, { input: message, env })).trim();
  }

  /**
   * Builds a tree from `base` plus changes, through a throwaway index so nested paths work the
   * way GitHub's createTree does. `null` sha deletes the path.
   */
  async buildTree(
    base: string | undefined,
    changes: ReadonlyArray<{ path: string; mode: string; sha: string | null }>,
  ): Promise<string> {
    const indexDir = join(tmpdir(), "ladder-gh-index");
    await mkdir(indexDir, { recursive: true });
    const indexFile = join(indexDir, randomUUID());
    const env = { GIT_INDEX_FILE: indexFile };
    try {
      if (base) await this.run(["read-tree", base], { env });
      else await this.run(["read-tree", "--empty"], { env });
      const lines = changes
        .map((c) => (c.sha === null ? `0 ${ZERO_SHA}\t${c.path}` : `${c.mode} ${c.sha}\t${c.path}`))
        .join("\n");
      if (lines) await this.run(["update-index", "--index-info"], { env, input: `${lines}\n` });
      return (await this.run(["write-tree"], { env })).trim();
    } finally {
      await rm(indexFile, { force: true });
    }
  }

  /** Commits `files` (path → content; null deletes) on top of `branch`, creating it when absent. */
  async commitFiles(
    branch: string,
    files: Readonly<Record<string, string | null>>,
    message: string,
    author: GitIdentity,
    options: { replaceAll?: boolean; startFrom?: string } = {},
  ): Promise<{ before: string | undefined; after: string }> {
    const fullRef = `refs/heads/${branch}`;
    const before = await this.resolveRef(fullRef);
    // A new branch starts from `startFrom` (like a branch created on GitHub), not from nothing.
    const parent = before ?? (options.startFrom ? await this.resolve(options.startFrom) : undefined);
    // A bounded number of blob writes at once: a generated repository commits tens of thousands.
    const changes = await pLimit(32).map(Object.entries(files), async ([path, content]) => ({
      path,
      mode: "100644",
      sha: content === null ? null : await this.writeBlob(content),
    }));
    const base = options.replaceAll || !parent ? undefined : await this.treeOf(parent);
    const tree = await this.buildTree(base, changes);
    const after = await this.commitTree(tree, parent ? [parent] : [], message, author);
    if (!(await this.updateRef(fullRef, after, before ?? ZERO_SHA))) throw new Error(`${fullRef} moved while committing`);
    return { before, after };
  }

  /** Commits newest first that touched any path (all commits when none given). */
  async log(rev: string, paths: readonly string[], limit: number, skip = 0): Promise<string[]> {
    const args = ["rev-list", `--max-count=${limit}`, `--skip=${skip}`, rev];
    if (paths.length > 0) args.push("--", ...paths);
    return (await this.run(args)).split("\n").filter(Boolean);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { code } = await this.runBuffer(["merge-base", "--is-ancestor", ancestor, descendant], { okCodes: [1] });
    return code === 0;
  }

  /** Three-way merge without a worktree; undefined tree means conflicts. */
  async mergeTrees(ours: string, theirs: string): Promise<{ tree: string | undefined; conflicts: string[] }> {
    let result: { stdout: Buffer; code: number };
    try {
      result = await this.runBuffer(["merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs], {
        okCodes: [1],
      });
    } catch (error) {
      // e.g. "refusing to merge unrelated histories": not mergeable, like any conflict.
      if (error instanceof GitCommandError) return { tree: undefined, conflicts: [error.stderr.trim()] };
      throw error;
    }
    const { stdout, code } = result;
    const lines = stdout.toString("utf8").split("\n").filter(Boolean);
    if (code === 0) return { tree: lines[0], conflicts: [] };
    return { tree: undefined, conflicts: lines.slice(1) };
  }

  /** Paths changed between two commits, by kind (for push payloads). */
  async diffNames(from: string | undefined, to: string): Promise<{ added: string[]; modified: string[]; removed: string[] }> {
    const result = { added: [] as string[], modified: [] as string[], removed: [] as string[] };
    const out = from
      ? await this.run(["diff-tree", "-r", "--name-status", "-z", "--no-renames", from, to])
      : await this.run(["diff-tree", "-r", "--root", "--name-status", "-z", "--no-renames", to]);
    const parts = out.split("\0").filter(Boolean);
    // With --root and a single commit, the first token is the commit SHA.
    if (parts[0] && /^[0-9a-f]{40}$/.test(parts[0])) parts.shift();
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status = parts[i];
      const path = parts[i + 1] ?? "";
      if (status === "A") result.added.push(path);
      else if (status === "D") result.removed.push(path);
      else result.modified.push(path);
    }
    return result;
  }
}
