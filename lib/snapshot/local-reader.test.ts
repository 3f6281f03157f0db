import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitBlobSha, normaliseRepoPath, openLocalRepo, PathEscapeError } from "./local-reader";
import type { CommitChange } from "./types";

let dir: string;
let outside: string;

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" },
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ladder-reader-"));
  outside = mkdtempSync(path.join(tmpdir(), "ladder-outside-"));
  writeFileSync(path.join(outside, "secret.yaml"), "secret: 1\n");
  mkdirSync(path.join(dir, "envs/dev"), { recursive: true });
  writeFileSync(path.join(dir, "envs/dev/kustomization.yaml"), "resources: []\n");
  writeFileSync(path.join(dir, "README.md"), "hello\n");
  symlinkSync("../../README.md", path.join(dir, "envs/dev/readme-link.md"));
  symlinkSync(path.join(outside, "secret.yaml"), path.join(dir, "envs/dev/escape.yaml"));
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "first");
  writeFileSync(path.join(dir, "envs/dev/kustomization.yaml"), "resources: [a.yaml]\n");
  git("commit", "-q", "-am", "second");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("openLocalRepo", () => {
  it("reads a git checkout through git objects, with git's blob SHAs", async () => {
    const reader = await openLocalRepo(dir);
    expect(reader.isGit).toBe(true);
    const snap = await reader.snapshot();
    expect(snap.commit).toBe(git("rev-parse", "HEAD").trim());
    const k = snap.files().find((f) => f.path === "envs/dev/kustomization.yaml");
    expect(k?.sha).toBe(git("hash-object", "envs/dev/kustomization.yaml").trim());
    expect(await snap.read("envs/dev/kustomization.yaml")).toBe("resources: [a.yaml]\n");
    const many = await snap.readMany(["README.md", "envs/dev/kustomization.yaml", "missing.yaml"]);
    expect([...many.keys()].sort()).toEqual(["README.md", "envs/dev/kustomization.yaml"]);
  });

  it("reads an older commit by ref", async () => {
    const snap = await (await openLocalRepo(dir)).snapshot("HEAD~1");
    expect(await snap.read("envs/dev/kustomization.yaml")).toBe("resources: []\n");
  });

  it("follows in-repo symlinks and refuses ones pointing outside", async () => {
    for (const opts of [{}, { worktree: true }]) {
      const snap = await (await openLocalRepo(dir, opts)).snapshot();
      const paths = snap.files().map((f) => f.path);
      expect(paths).toContain("envs/dev/readme-link.md");
      expect(await snap.read("envs/dev/readme-link.md")).toBe("hello\n");
      expect(paths).not.toContain("envs/dev/escape.yaml");
      expect(snap.skipped.map((s) => s.path)).toContain("envs/dev/escape.yaml");
    }
  });

  it("walks a plain directory computing git-style SHAs", async () => {
    const snap = await (await openLocalRepo(dir, { worktree: true })).snapshot();
    expect(snap.commit).toBe("worktree");
    const readme = snap.files().find((f) => f.path === "README.md");
    expect(readme?.sha).toBe(gitBlobSha(Buffer.from("hello\n")));
    expect(readme?.sha).toBe(git("hash-object", "README.md").trim());
    expect(snap.files().some((f) => f.path.startsWith(".git/"))).toBe(false);
  });

  it("refuses paths escaping the repository", async () => {
    const snap = await (await openLocalRepo(dir)).snapshot();
    await expect(snap.read("../etc/passwd")).rejects.toBeInstanceOf(PathEscapeError);
    await expect(snap.read("/etc/passwd")).rejects.toBeInstanceOf(PathEscapeError);
    expect(normaliseRepoPath("envs/./dev/../dev/x.yaml")).toBe("envs/dev/x.yaml");
    expect(() => normaliseRepoPath("envs/../../x")).toThrow(PathEscapeError);
  });

  it("lists history for paths, newest first", async () => {
    const reader = await openLocalRepo(dir);
    const h = await reader.history(["envs/dev"]);
    expect(h.map((c) => c.message)).toEqual(["second", "first"]);
    expect(h[0]?.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await reader.history(["README.md"], { limit: 1 })).toHaveLength(1);
  });
});

describe("openLocalRepo: a commit read after another, and one commit's change", () => {
  let repo: string;
  const run = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" },
    });
  const write = (p: string, text: string) => {
    mkdirSync(path.dirname(path.join(repo, p)), { recursive: true });
    writeFileSync(path.join(repo, p), text);
  };

  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), "ladder-reader-diff-"));
    run("init", "-q", "-b", "main");
    write("apps/a/base/deploy.yaml", "image: a:1\n");
    write("apps/a/dev/kustomization.yaml", "resources: [../base]\n");
    write("apps/b/prod/kustomization.yaml", "resources: []\n");
    run("add", ".");
    run("commit", "-q", "-m", "root");
    run("checkout", "-q", "-b", "side");
    write("apps/b/prod/kustomization.yaml", "resources: [x.yaml]\n");
    run("commit", "-q", "-am", "side: b prod");
    run("checkout", "-q", "main");
    write("apps/a/base/deploy.yaml", "image: a:2\n");
    write("apps/a/prod/kustomization.yaml", "resources: [../base]\n");
    run("add", ".");
    run("commit", "-q", "-m", "main: a base, a prod");
    run("merge", "-q", "--no-ff", "side", "-m", "merge side");
    run("rm", "-q", "apps/a/dev/kustomization.yaml");
    run("commit", "-q", "-m", "drop a dev");
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("makes a later commit's snapshot from the earlier one and git's diff, equal to reading it whole", async () => {
    const reader = await openLocalRepo(repo);
    const root = await reader.snapshot("main~3");
    const head = await reader.snapshot("main");
    expect(await head.changesSince?.(root.commit)).toEqual({
      changed: ["apps/a/base/deploy.yaml", "apps/b/prod/kustomization.yaml"],
      added: ["apps/a/prod/kustomization.yaml"],
      removed: ["apps/a/dev/kustomization.yaml"],
    });
    const whole = await (await openLocalRepo(repo)).snapshot("main");
    expect(head.files()).toEqual(whole.files());
    for (const f of whole.files()) expect(head.file?.(f.path)).toEqual(f);
    expect(await head.readMany(whole.files().map((f) => f.path))).toEqual(await whole.readMany(whole.files().map((f) => f.path)));
    // And back: an older commit from the newer one.
    const again = await reader.snapshot("main~3");
    expect(again.files()).toEqual(root.files());
    expect(await again.read("apps/a/dev/kustomization.yaml")).toBe("resources: [../base]\n");
  });

  it("tells each commit's change against its first parent, a merge bringing in its branch, a root adding everything", async () => {
    const reader = await openLocalRepo(repo);
    const walk: [string, number, string[], string[], string[]][] = [];
    let sha: string | undefined = run("rev-parse", "main").trim();
    while (sha) {
      const c: CommitChange | undefined = await reader.commitChange?.(sha);
      if (!c) break;
      walk.push([c.commit.message, c.parents.length, c.changed, c.added, c.removed]);
      sha = c.parents[0];
    }
    expect(walk).toEqual([
      ["drop a dev", 1, [], [], ["apps/a/dev/kustomization.yaml"]],
      ["merge side", 2, ["apps/b/prod/kustomization.yaml"], [], []],
      ["main: a base, a prod", 1, ["apps/a/base/deploy.yaml"], ["apps/a/prod/kustomization.yaml"], []],
      ["root", 0, [], ["apps/a/base/deploy.yaml", "apps/a/dev/kustomization.yaml", "apps/b/prod/kustomization.yaml"], []],
    ]);
  });

  it("does not claim git's diff where symlinks stand for their targets", async () => {
    const reader = await openLocalRepo(dir);
    const first = await reader.snapshot("HEAD~1");
    const second = await reader.snapshot("HEAD");
    expect(await second.changesSince?.(first.commit)).toBeUndefined();
    expect(second.files().find((f) => f.path === "envs/dev/readme-link.md")?.sha).toBe(git("hash-object", "README.md").trim());
  });
});
