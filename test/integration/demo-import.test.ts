/**
 * `npm run demo -- --repo <path>` (cmd/demo/import-repo.ts): a git repository's branch or a plain
 * directory becomes a private bare copy that the GitHub stand-in serves and Ladder scans like any
 * GitHub repository; the source is never written to, not even while the copy is promoted on.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeImport, ImportError, importRepository, inspectSource } from "../../cmd/demo/import-repo";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient } from "../../lib/github/client";
import { createGitHubReader } from "../../lib/github/github-reader";
import { scanRepository } from "../../lib/gitops/scan";
import { suggestLadderYaml } from "../../lib/gitops/suggest-ladder-yaml";
import type { ScanResult } from "../../lib/gitops/types";
import {
  OWN_REPO_APPS,
  OWN_REPO_ENVIRONMENTS,
  ownRepoCommits,
  ownRepoDigest,
  removeTree,
  treeHash,
  writeOwnRepoDirectory,
  writeOwnRepoGit,
} from "../support/own-repo";

const run = promisify(execFile);
const TOKEN = "own-repo-token";
let work: string;
const servers: GitHubServer[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "ladder-own-repo-"));
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.control.violations()).toEqual([]);
    await s.stop();
  }
});
afterAll(async () => {
  await removeTree(work);
});

let seq = 0;
const fresh = (name: string) => path.join(work, `${name}-${++seq}`);

async function serve(repoDir: string, name: string, branch: string): Promise<GitHubServer> {
  const server = await startGitHubServer({ repoDir, owner: "local", repo: name, defaultBranch: branch, tokens: [TOKEN] });
  servers.push(server);
  return server;
}

async function api<T>(server: GitHubServer, route: string): Promise<T> {
  const response = await fetch(`${server.apiBaseUrl}/repos/local/${server.repo}${route}`, {
    headers: { authorization: `token ${TOKEN}`, accept: "application/vnd.github+json" },
  });
  expect(response.status, route).toBe(200);
  return (await response.json()) as T;
}

/** Ladder's own GitHub reader and scan, as the demo's server runs them. */
async function scanThrough(server: GitHubServer, branch: string): Promise<ScanResult> {
  const reader = createGitHubReader({
    client: createGitHubClient({
      auth: { kind: "token", token: TOKEN },
      baseUrl: server.apiBaseUrl,
      retryBaseMs: 5,
      writeSpacingMs: 0,
    }),
    owner: "local",
    repo: server.repo,
    blobCache: new BlobCache(),
  });
  return scanRepository(await reader.snapshot(branch), { helm: false });
}

function matrixOf(scan: ScanResult) {
  return {
    environments: scan.environments,
    cells: Object.fromEntries(
      scan.apps.map((a) => [
        a.name,
        Object.fromEntries(
          Object.entries(a.environments).map(([env, c]) => [
            env,
            c.images.map((i) => `${i.repository}:${i.tag}@${i.digest} ${i.source.file}:${i.source.line}`).sort(),
          ]),
        ),
      ]),
    ),
  };
}

const sourceLog = async (dir: string, ref: string) =>
  (await run("git", ["-C", dir, "rev-list", ref])).stdout.trim().split("\n").filter(Boolean);

describe("a git repository", () => {
  it("is copied with its real history; the stand-in serves those commits and Ladder reads them", async () => {
    const source = fresh("shop-deploy");
    await writeOwnRepoGit(source, { branch: "next" });
    // Uncommitted and untracked work stays where it is, untouched and not copied.
    await writeFile(path.join(source, "README.md"), "# edited, not committed\n");
    await writeFile(path.join(source, "scratch.yaml"), "untracked: true\n");
    const before = await treeHash(source);

    const info = await inspectSource(source);
    expect(info).toMatchObject({ kind: "git", branch: "main" });
    const into = path.join(fresh("copy"), "repo.git");
    const imported = await importRepository(info, into);
    expect(imported).toMatchObject({ kind: "git", branch: "main", commits: ownRepoCommits().length, shallow: false });
    expect(describeImport(imported)).toBe(`all ${ownRepoCommits().length} commits of main`);

    const server = await serve(into, "shop-deploy", "main");
    const commits = await api<{ sha: string; commit: { message: string } }[]>(server, "/commits?sha=main&per_page=100");
    expect(commits.map((c) => c.sha)).toEqual(await sourceLog(source, "main"));
    expect(commits.map((c) => c.commit.message.trim())).toEqual(
      ownRepoCommits()
        .map((c) => c.message)
        .reverse(),
    );
    const readme = await api<{ content: string }>(server, "/contents/README.md?ref=main");
    expect(Buffer.from(readme.content, "base64").toString("utf8")).toContain("What runs where");
    const tree = await api<{ tree: { path: string }[] }>(server, "/git/trees/main?recursive=1");
    expect(tree.tree.map((t) => t.path)).not.toContain("scratch.yaml");

    const scan = await scanThrough(server, "main");
    expect(scan.layout.source).toBe("detected");
    expect(scan.environments).toEqual([...OWN_REPO_ENVIRONMENTS]);
    expect(scan.apps.map((a) => a.name).sort()).toEqual([...OWN_REPO_APPS]);
    const prod = scan.apps.find((a) => a.name === "catalog")?.environments.prod;
    expect(prod?.images[0]?.digest).toBe(ownRepoDigest("catalog", 2));

    // The copy has no remote: nothing done to it can be pushed back.
    const { stdout: remotes } = await run("git", ["--git-dir", into, "remote"]);
    expect(remotes.trim()).toBe("");
    // A promotion's branch and a merge on the copy leave the source as it was.
    await server.control.commit(
      { "deploy/catalog/envs/prod/kustomization.yaml": "changed on the copy\n" },
      { branch: "ladder/x" },
    );
    await server.control.commit({ "README.md": "merged on the copy\n" });
    expect(await treeHash(source)).toBe(before);
  });

  it("serves the branch given with --branch, or the one the checkout is on", async () => {
    const source = fresh("branches");
    await writeOwnRepoGit(source, { branch: "next" });
    const named = await importRepository(await inspectSource(source, "next"), path.join(fresh("copy"), "repo.git"));
    expect(named).toMatchObject({ branch: "next", commits: ownRepoCommits().length + 1 });

    await run("git", ["-C", source, "checkout", "-q", "next"]);
    const before = await treeHash(source);
    const info = await inspectSource(source);
    expect(info.branch).toBe("next");
    const into = path.join(fresh("copy"), "repo.git");
    await importRepository(info, into);
    const server = await serve(into, "branches", "next");
    const head = await api<{ object: { sha: string } }>(server, "/git/ref/heads/next");
    expect(head.object.sha).toBe((await sourceLog(source, "next"))[0]);
    const branches = (await run("git", ["--git-dir", into, "for-each-ref", "--format=%(refname)"])).stdout.trim();
    expect(branches).toBe("refs/heads/next");
    expect(await treeHash(source)).toBe(before);
  });

  it("says which branches there are when the one named is missing, and refuses a detached HEAD", async () => {
    const source = fresh("missing");
    await writeOwnRepoGit(source, { branch: "next" });
    await expect(inspectSource(source, "nope")).rejects.toThrow(/no branch 'nope' \(its branches: main, next\)/);
    await run("git", ["-C", source, "checkout", "-q", "--detach", "HEAD"]);
    await expect(inspectSource(source)).rejects.toBeInstanceOf(ImportError);
    await expect(inspectSource(source)).rejects.toThrow(/--branch/);
    await expect(inspectSource(path.join(source, "does-not-exist"))).rejects.toThrow(/no such directory/);
  });

  it("brings a bounded history of a long one (--depth), in seconds", async () => {
    const source = fresh("long-history");
    await mkdir(source, { recursive: true });
    await run("git", ["init", "-q", "-b", "main", source]);
    // 3,000 files and 1,200 commits over four years, written with fast-import (seconds, not minutes).
    const start = Date.UTC(2021, 0, 1) / 1000;
    const lines: string[] = [];
    const blob = (text: string) => `data ${Buffer.byteLength(text)}\n${text}`;
    lines.push("commit refs/heads/main", `committer Ops <ops@shop.example> ${start} +0000`, blob("initial import\n"));
    for (let i = 0; i < 3000; i++) lines.push(`M 100644 inline services/s${i % 300}/file-${i}.txt`, blob(`file ${i}\n`));
    for (let c = 1; c < 1200; c++) {
      lines.push(
        "commit refs/heads/main",
        `committer Ops <ops@shop.example> ${start + c * 105_000} +0000`,
        blob(`change ${c}\n`),
      );
      lines.push(`M 100644 inline services/s${c % 300}/file-${c}.txt`, blob(`file ${c}, version ${c}\n`));
    }
    await new Promise<void>((resolve, reject) => {
      const child = spawn("git", ["-C", source, "fast-import", "--quiet"], { stdio: ["pipe", "ignore", "inherit"] });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`))));
      child.stdin.end(`${lines.join("\n")}\n`);
    });
    await run("git", ["-C", source, "reset", "-q", "--hard", "main"]);
    const before = await treeHash(source);

    const started = performance.now();
    const imported = await importRepository(await inspectSource(source), path.join(fresh("copy"), "repo.git"));
    const seconds = (performance.now() - started) / 1000;
    expect(imported).toMatchObject({ kind: "git", commits: 500, shallow: true, depth: 500 });
    expect(describeImport(imported)).toBe("the last 500 commits of main");
    expect(seconds).toBeLessThan(30);
    const whole = await importRepository(await inspectSource(source), path.join(fresh("copy"), "repo.git"), { depth: 0 });
    expect(whole).toMatchObject({ commits: 1200, shallow: false });
    expect(await treeHash(source)).toBe(before);
  });
});

describe("a plain directory", () => {
  it("becomes one commit of its files; what Ladder never reads is left out", async () => {
    const source = fresh("plain");
    await writeOwnRepoDirectory(source);
    await writeFile(path.join(source, "big.yaml"), `x: "${"y".repeat(1024 * 1024)}"\n`);
    await symlink("README.md", path.join(source, "link.md"));
    await writeFile(path.join(source, "deploy.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    const before = await treeHash(source);

    const info = await inspectSource(source);
    expect(info).toMatchObject({ kind: "directory", branch: "main" });
    const into = path.join(fresh("copy"), "repo.git");
    const imported = await importRepository(info, into);
    expect(imported).toMatchObject({ kind: "directory", commits: 1, shallow: false });
    expect(imported.skipped?.map((s) => s.path).sort()).toEqual(["big.yaml", "link.md", "node_modules"]);

    const server = await serve(into, "plain", "main");
    const commits = await api<{ sha: string }[]>(server, "/commits?sha=main");
    expect(commits).toHaveLength(1);
    const tree = await api<{ tree: { path: string; mode: string; type: string }[] }>(server, "/git/trees/main?recursive=1");
    const blobs = tree.tree.filter((t) => t.type === "blob");
    expect(blobs.find((b) => b.path === "deploy.sh")?.mode).toBe("100755");
    expect(blobs.some((b) => b.path.startsWith("node_modules"))).toBe(false);
    expect(blobs).toHaveLength((imported.files ?? 0) as number);

    const scan = await scanThrough(server, "main");
    expect(scan.apps.map((a) => a.name).sort()).toEqual([...OWN_REPO_APPS]);
    await server.control.commit({ "README.md": "merged on the copy\n" });
    expect(await treeHash(source)).toBe(before);
  });

  it("a subdirectory of a checkout is a plain directory: its files, not the checkout's history", async () => {
    const source = fresh("checkout");
    await writeOwnRepoGit(source);
    const info = await inspectSource(path.join(source, "deploy"));
    expect(info.kind).toBe("directory");
    const imported = await importRepository(info, path.join(fresh("copy"), "repo.git"));
    expect(imported.commits).toBe(1);
  });
});

describe("the ladder.yaml Ladder suggests, committed back into the copy", () => {
  it("makes the scan read the layout from ladder.yaml, with the same matrix", async () => {
    const source = fresh("suggest");
    await writeOwnRepoGit(source);
    const before = await treeHash(source);
    const into = path.join(fresh("copy"), "repo.git");
    await importRepository(await inspectSource(source), into);
    const server = await serve(into, "suggest", "main");

    const detected = await scanThrough(server, "main");
    expect(detected.layout.source).toBe("detected");
    const suggestion = suggestLadderYaml(detected);
    expect(suggestion.approximations).toEqual([]);
    expect(suggestion.text).toContain("path: deploy/catalog/envs/{env}");
    expect(suggestion.text).toContain("path: helm/mailer/values-{env}.yaml");
    await server.control.commit({ "ladder.yaml": suggestion.text ?? "" }, { message: "Add the ladder.yaml Ladder suggested" });

    const committed = await scanThrough(server, "main");
    expect(committed.layout.source).toBe("ladder.yaml");
    expect(committed.layout.ladderYaml).toEqual({ state: "valid", file: "ladder.yaml" });
    expect(matrixOf(committed)).toEqual(matrixOf(detected));
    expect(await treeHash(source)).toBe(before);
  });
});
