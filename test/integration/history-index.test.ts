/**
 * History walked commit by commit (#15 item 1): the per-path last-change index against the
 * whole-tree walk it replaces, on real git repositories (a change through a shared base and a
 * component, a file deleted and re-added, a merge), what a new head costs the reader, each cell's
 * last change through its reads, timelines made from refreshed scans; and the GitHub reader's
 * one-file commit (three requests, the snapshot knowing its change).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appName, fakeDigest, generateGitOpsRepo, overlayContent, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient } from "../../lib/github/client";
import { createGitHubReader } from "../../lib/github/github-reader";
import { refreshScan } from "../../lib/gitops/refresh-scan";
import { scanContext, scanRepository } from "../../lib/gitops/scan";
import { matrixRows } from "../../lib/matrix/environment-matrix";
import { environmentTimeline } from "../../lib/promotion/evidence";
import {
  buildLastChangeIndex,
  deriveLastChangeIndex,
  type LastChangeIndex,
  lastChangesFromTrees,
  pathChanges,
} from "../../lib/repository-service/last-change-index";
import { RepositoryService } from "../../lib/repository-service/repository-service";
import { openLocalRepo } from "../../lib/snapshot/local-reader";
import type { RepoReader } from "../../lib/snapshot/types";
import { countingReader } from "../support/counting-reader";

const D = (n: number) => `sha256:${String(n % 10).repeat(64)}`;

const kustomization = (lines: string[]) =>
  ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", ...lines, ""].join("\n");
const deployment = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
const overlay = (app: string, digest: string, extra: string[] = []) =>
  kustomization(["resources:", "  - ../../base", ...extra, "images:", `  - name: ghcr.io/acme/${app}`, `    digest: ${digest}`]);
const logging = (tag: string) =>
  [
    "apiVersion: kustomize.config.k8s.io/v1alpha1",
    "kind: Component",
    "images:",
    "  - name: fluent/fluent-bit",
    `    newTag: '${tag}'`,
    "",
  ].join("\n");

/** A git repository written commit by commit, each with its own date. */
class GitRepo {
  readonly dir = mkdtempSync(path.join(tmpdir(), "ladder-history-"));
  private day = 0;

  constructor() {
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    const date = `2026-02-${String(1 + this.day).padStart(2, "0")}T10:00:00Z`;
    return execFileSync("git", args, {
      cwd: this.dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Ada",
        GIT_AUTHOR_EMAIL: "ada@example.com",
        GIT_COMMITTER_NAME: "Ada",
        GIT_COMMITTER_EMAIL: "ada@example.com",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
  }

  /** Writes (null: deletes) files and commits them; returns the commit. */
  commit(message: string, files: Record<string, string | null>): string {
    for (const [p, text] of Object.entries(files)) {
      const abs = path.join(this.dir, p);
      if (text === null) unlinkSync(abs);
      else {
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, text);
      }
    }
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    this.day++;
    return this.git("rev-parse", "HEAD").trim();
  }

  merge(branch: string, message: string): string {
    this.git("merge", "-q", "--no-ff", branch, "-m", message);
    this.day++;
    return this.git("rev-parse", "HEAD").trim();
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** web: base → dev, staging, prod; api: base → dev, prod; both prods use the logging component. */
function rootFiles(): Record<string, string> {
  const files: Record<string, string> = { "components/logging/kustomization.yaml": logging("3.0") };
  for (const [app, envs] of [
    ["web", ["dev", "staging", "prod"]],
    ["api", ["dev", "prod"]],
  ] as const) {
    files[`apps/${app}/base/kustomization.yaml`] = kustomization(["resources:", "  - deployment.yaml"]);
    files[`apps/${app}/base/deployment.yaml`] = deployment(app, `ghcr.io/acme/${app}:1.0.0`);
    envs.forEach((env, i) => {
      files[`apps/${app}/overlays/${env}/kustomization.yaml`] = overlay(
        app,
        D(i + 1),
        env === "prod" ? ["components:", "  - ../../../../components/logging"] : [],
      );
    });
  }
  files["apps/web/overlays/dev/kustomization.yaml"] = overlay("web", D(1), ["patches:", "  - path: replicas.yaml"]);
  files["apps/web/overlays/dev/replicas.yaml"] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n";
  return files;
}

const byPath = (m: ReadonlyMap<string, { sha: string }>) => Object.fromEntries([...m].map(([p, c]) => [p, c.sha]));

describe("the last-change index, against the whole-tree walk", () => {
  const repo = new GitRepo();
  const heads: string[] = [];
  const sha: Record<string, string> = {};

  beforeAll(() => {
    const webDev = "apps/web/overlays/dev/kustomization.yaml";
    sha.root = repo.commit("root", rootFiles());
    sha.promote = repo.commit("promote web staging", { "apps/web/overlays/staging/kustomization.yaml": overlay("web", D(7)) });
    sha.base = repo.commit("web base: 1.1.0", {
      "apps/web/base/deployment.yaml": deployment("web", "ghcr.io/acme/web:1.1.0"),
    });
    sha.drop = repo.commit("web dev: drop the replicas patch", {
      "apps/web/overlays/dev/replicas.yaml": null,
      [webDev]: overlay("web", D(1)),
    });
    sha.readd = repo.commit("web dev: the replicas patch again", {
      "apps/web/overlays/dev/replicas.yaml": rootFiles()["apps/web/overlays/dev/replicas.yaml"] ?? "",
      [webDev]: rootFiles()[webDev] ?? "",
    });
    // A branch made (and committed) before main moves on, merged after: the usual pull request.
    repo.git("checkout", "-q", "-b", "logging");
    sha.side = repo.commit("logging 3.1", { "components/logging/kustomization.yaml": logging("3.1") });
    repo.git("checkout", "-q", "main");
    sha.api = repo.commit("promote api prod", {
      "apps/api/overlays/prod/kustomization.yaml": overlay("api", D(8), ["components:", "  - ../../../../components/logging"]),
    });
    sha.merge = repo.merge("logging", "Merge logging 3.1");
    sha.last = repo.commit("promote web prod", {
      "apps/web/overlays/prod/kustomization.yaml": overlay("web", D(9), ["components:", "  - ../../../../components/logging"]),
    });
    heads.push(sha.root, sha.promote, sha.base, sha.drop, sha.readd, sha.api, sha.merge, sha.last);
  });
  afterAll(() => repo.cleanup());

  it("equals the walk at every head, with a window that covers the history and one that slides over it", async () => {
    const reader = await openLocalRepo(repo.dir);
    for (const depth of [40, 3, 2]) {
      let parent: LastChangeIndex | undefined;
      for (const head of heads) {
        const snapshot = await reader.snapshot(head);
        const walked = await lastChangesFromTrees(reader, snapshot, depth);
        const built = await buildLastChangeIndex(reader as Required<RepoReader>, head, depth);
        const change = await reader.commitChange?.(head);
        const derived = parent && change ? deriveLastChangeIndex(parent, change) : built;
        expect(byPath(pathChanges(built)), `built at ${head.slice(0, 7)}, depth ${depth}`).toEqual(byPath(pathChanges(walked)));
        expect(byPath(pathChanges(derived)), `derived at ${head.slice(0, 7)}, depth ${depth}`).toEqual(
          byPath(pathChanges(walked)),
        );
        expect(derived.chain).toEqual(built.chain);
        parent = derived;
      }
    }
  });

  it("attributes what the history says: the re-added file to its re-adding, the merge's component to the merge", async () => {
    const reader = await openLocalRepo(repo.dir);
    const index = await buildLastChangeIndex(reader as Required<RepoReader>, sha.last ?? "", 40);
    const changes = pathChanges(index);
    expect(changes.get("apps/web/overlays/dev/replicas.yaml")?.message).toBe("web dev: the replicas patch again");
    expect(changes.get("components/logging/kustomization.yaml")?.message).toBe("Merge logging 3.1");
    expect(changes.get("apps/api/overlays/prod/kustomization.yaml")?.message).toBe("promote api prod");
    expect(changes.get("apps/api/base/deployment.yaml")?.message).toBe("root");
  });

  it("a new head costs the reader one commit's change: no snapshot of any historical commit", async () => {
    const reader = await openLocalRepo(repo.dir);
    const { wrapped, calls } = countingReader(reader, { commitChange: true });
    let clock = new Date("2026-03-01T00:00:00Z");
    // The branch the service follows starts at the merge, then moves on by one commit.
    repo.git("branch", "-f", "live", sha.merge ?? "");
    const service = new RepositoryService({ repository: "acme/gitops", branch: "live", reader: wrapped, now: () => clock });
    // The window's first index: one history listing and each commit's change (git reads them in one log).
    const atMerge = await service.current();
    await service.lastChanges(atMerge);
    expect(calls).toMatchObject({ snapshot: 1, history: 1 });
    const first = { ...calls };
    repo.git("branch", "-f", "live", sha.last ?? "");
    service.invalidate();
    clock = new Date(clock.getTime() + 60_000);
    const head = await service.current();
    const changes = await service.lastChanges(head);
    expect(head.snapshot.commit).toBe(sha.last);
    expect(calls.snapshot - first.snapshot).toBe(1);
    expect(calls.history - first.history).toBe(0);
    expect(calls.commitChange - first.commitChange).toBe(1);
    expect(changes.get("apps/web/overlays/prod/kustomization.yaml")?.message).toBe("promote web prod");
    expect(byPath(changes)).toEqual(byPath(pathChanges(await lastChangesFromTrees(reader, head.snapshot, 40))));
  });

  it("a cell's last change is the newest change to any file it reads: a shared base shows in every cell built on it", async () => {
    const reader = await openLocalRepo(repo.dir);
    const service = new RepositoryService({ repository: "acme/gitops", branch: "main", reader });
    const lastChange = async (head: string) => {
      const view = await service.at(head);
      const rows = matrixRows(view.scan, await service.cellLastChanges(view));
      return Object.fromEntries(
        rows.flatMap((r) => Object.entries(r.cells).map(([env, c]) => [`${r.app}/${env}`, c?.lastChange?.message])),
      );
    };
    // An overlay's own change: that cell only.
    expect(await lastChange(sha.promote ?? "")).toEqual({
      "api/dev": "root",
      "api/prod": "root",
      "web/dev": "root",
      "web/prod": "root",
      "web/staging": "promote web staging",
    });
    // The base web's environments build on: all three (the overlays' own files did not change).
    expect(await lastChange(sha.base ?? "")).toMatchObject({
      "web/dev": "web base: 1.1.0",
      "web/staging": "web base: 1.1.0",
      "web/prod": "web base: 1.1.0",
      "api/dev": "root",
    });
    // The component both prods use, brought in by the merge.
    expect(await lastChange(sha.merge ?? "")).toEqual({
      "api/dev": "root",
      "api/prod": "Merge logging 3.1",
      "web/dev": "web dev: the replicas patch again",
      "web/prod": "Merge logging 3.1",
      "web/staging": "web base: 1.1.0",
    });
  });

  it("a timeline's historical scans are refreshes of one another, and say what each commit ran", async () => {
    const reader = await openLocalRepo(repo.dir);
    const service = new RepositoryService({ repository: "acme/gitops", branch: "main", reader });
    const head = await service.current();
    const timeline = await environmentTimeline(service, { app: "web", env: "staging" });
    expect(timeline.segments.map((s) => [s.digest, s.message])).toEqual([
      [D(7), "promote web staging"],
      [D(2), "root"],
    ]);
    // The commits it looked at, newest first, each scan refreshed from the one before: from the
    // promotion to the root only web/staging's overlay differs, so that cell alone was resolved.
    expect((await service.history(timeline.paths)).map((c) => c.sha)).toEqual([sha.promote, sha.root]);
    const atRoot = await service.scanAt(sha.root ?? "");
    expect(scanContext(atRoot)?.resolved).toBe(1);
    expect(head.scan.apps.length).toBe(2);
    // And equal to scanning that commit whole.
    const full = await scanRepository(await reader.snapshot(sha.root ?? ""));
    expect(JSON.stringify(atRoot.apps)).toBe(JSON.stringify(full.apps));
  });
});

describe("where the whole-tree walk crossed branches by date, the index follows first parents", () => {
  const repo = new GitRepo();
  afterAll(() => repo.cleanup());

  it("a main-line change stays its own commit's, the branch's change is the merge's", async () => {
    repo.commit("root", rootFiles());
    repo.git("checkout", "-q", "-b", "logging");
    const branchPoint = repo.git("rev-parse", "HEAD").trim();
    repo.git("checkout", "-q", "main");
    repo.commit("promote api prod", {
      "apps/api/overlays/prod/kustomization.yaml": overlay("api", D(8), ["components:", "  - ../../../../components/logging"]),
    });
    // The branch's commit is newer than main's: by date it sits between the merge and main's commit.
    repo.git("checkout", "-q", "logging");
    expect(repo.git("rev-parse", "HEAD").trim()).toBe(branchPoint);
    repo.commit("logging 3.1", { "components/logging/kustomization.yaml": logging("3.1") });
    repo.git("checkout", "-q", "main");
    const merge = repo.merge("logging", "Merge logging 3.1");
    const reader = await openLocalRepo(repo.dir);
    const index = pathChanges(await buildLastChangeIndex(reader as Required<RepoReader>, merge, 40));
    const walked = pathChanges(await lastChangesFromTrees(reader, await reader.snapshot(merge), 40));
    expect(index.get("apps/api/overlays/prod/kustomization.yaml")?.message).toBe("promote api prod");
    expect(index.get("components/logging/kustomization.yaml")?.message).toBe("Merge logging 3.1");
    // The walk compared the merge with the branch commit (next by date): main's change looked like the merge's.
    expect(walked.get("apps/api/overlays/prod/kustomization.yaml")?.message).toBe("Merge logging 3.1");
    expect(walked.get("components/logging/kustomization.yaml")?.message).toBe("logging 3.1");
  });
});

describe("the GitHub reader after a one-file commit", () => {
  let server: GitHubServer;
  const ENVS = ["dev", "staging", "prod"] as const;
  beforeAll(async () => {
    server = await startGitHubServer({ seed: generateGitOpsRepo({ apps: 20, environments: ENVS }), strict: true });
  });
  afterAll(async () => {
    expect(server.control.violations()).toEqual([]);
    await server.stop();
  });

  it("reads the new head in three requests, knows what changed, and the refresh resolves that cell alone", async () => {
    const reader = createGitHubReader({
      client: createGitHubClient({
        auth: { kind: "token", token: "test-token" },
        baseUrl: server.apiBaseUrl,
        retryBaseMs: 5,
        writeSpacingMs: 0,
      }),
      owner: "acme",
      repo: "gitops",
      blobCache: new BlobCache(),
    });
    const options = { render: false, helm: false } as const;
    const before = await reader.snapshot("main");
    const scan = await scanRepository(before, options);
    const path = overlayPath(appName(3), "staging");
    await server.control.commit(
      { [path]: overlayContent(appName(3), "staging", fakeDigest(appName(3), 77)) },
      { message: "bump" },
    );
    server.control.resetCounters();
    const after = await reader.snapshot("main");
    expect(await after.changesSince?.(before.commit)).toEqual({ changed: [path], added: [], removed: [] });
    const next = await refreshScan(scan, after, options);
    expect(server.control.counters()).toEqual({ "git/get-ref": 1, "git/get-tree": 1, "git/get-blob": 1 });
    expect(scanContext(next)?.resolved).toBe(1);
    expect(JSON.stringify(next.apps)).toBe(JSON.stringify((await scanRepository(after, options)).apps));
    // Its last-change step: the commit (one request), its trees already read, their difference known.
    server.control.resetCounters();
    const change = await reader.commitChange(after.commit);
    expect(change).toMatchObject({ parents: [before.commit], changed: [path], added: [], removed: [] });
    expect(server.control.counters()).toEqual({ "git/get-commit": 1 });
  });
});
