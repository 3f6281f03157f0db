/**
 * Contract tests for Ladder's GitHub reads against the GitHub-compatible server (strict OpenAPI
 * validation: any request or response outside GitHub's schema fails the test).
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appName, fakeDigest, generateGitOpsRepo, overlayContent, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient, type GitHubClientConfig } from "../../lib/github/client";
import {
  AppNotInstalledError,
  BadCredentialsError,
  BlobTooLargeError,
  GitHubUnreachableError,
  RefNotFoundError,
  RepoNotFoundError,
  TruncatedTreeError,
} from "../../lib/github/errors";
import { createGitHubReader } from "../../lib/github/github-reader";

const ENVS = ["dev", "staging", "prod"] as const;
let server: GitHubServer;

const config = (overrides: Partial<GitHubClientConfig> = {}): GitHubClientConfig => ({
  auth: { kind: "token", token: "test-token" },
  baseUrl: server.apiBaseUrl,
  retryBaseMs: 5,
  writeSpacingMs: 0,
  ...overrides,
});

const reader = (overrides: Partial<GitHubClientConfig> = {}, repo = "gitops", graphql = true) =>
  createGitHubReader({
    client: createGitHubClient(config(overrides)),
    owner: "acme",
    repo,
    blobCache: new BlobCache(),
    ...(graphql ? {} : { graphqlColdStart: false as const }),
  });

beforeAll(async () => {
  server = await startGitHubServer({ seed: generateGitOpsRepo({ apps: 5, environments: ENVS }), strict: true });
});

afterEach(() => {
  // Every test must stay inside GitHub's published API.
  expect(server.control.violations()).toEqual([]);
  server.control.reset();
  server.control.setTreeEntryLimit(100_000);
});

afterAll(async () => {
  await server.stop();
});

describe("GitHub reader", () => {
  it("reads a snapshot over REST: default branch, ref, one recursive tree, each distinct blob once", async () => {
    const r = reader({}, "gitops", false);
    const snap = await r.snapshot();
    expect(snap.commit).toBe(await server.control.head());
    expect(snap.files().length).toBe(1 + 5 * (2 + ENVS.length));
    const path = overlayPath(appName(1), "prod");
    expect(await snap.read(path)).toBe(overlayContent(appName(1), "prod", fakeDigest(appName(1), 1)));
    expect(await snap.read("missing.yaml")).toBeUndefined();
    const many = await snap.readMany(snap.files().map((f) => f.path));
    expect(many.size).toBe(snap.files().length);
    expect(server.control.counters()).toMatchObject({
      "repos/get": 1,
      "git/get-ref": 1,
      "git/get-tree": 1,
      "git/get-blob": new Set(snap.files().map((f) => f.sha)).size,
    });
  });

  it("a cold read fetches the blobs with one GraphQL query, identical to REST", async () => {
    const viaGraphql = await reader().snapshot("main");
    const a = await viaGraphql.readMany(viaGraphql.files().map((f) => f.path));
    expect(server.control.counters()).toEqual({ "git/get-ref": 1, "git/get-tree": 1, graphql: 1 });
    const viaRest = await reader({}, "gitops", false).snapshot("main");
    const b = await viaRest.readMany(viaRest.files().map((f) => f.path));
    expect(a.size).toBe(viaGraphql.files().length);
    expect([...a.entries()]).toEqual([...b.entries()]);
  });

  it("a failing GraphQL cold start falls back to REST", async () => {
    server.control.injectFault({ kind: "status", status: 502, match: { operationId: "graphql" } });
    const snap = await reader({ retries: 0 }).snapshot("main");
    const contents = await snap.readMany(snap.files().map((f) => f.path));
    expect(contents.size).toBe(snap.files().length);
    expect(server.control.counters()["git/get-blob"]).toBe(new Set(snap.files().map((f) => f.sha)).size);
  });

  it("a warm read with no new commit costs one conditional request (304)", async () => {
    const r = reader();
    const cold = await r.snapshot("main");
    await cold.readMany(cold.files().map((f) => f.path));
    server.control.resetCounters();
    const warm = await r.snapshot("main");
    await warm.readMany(warm.files().map((f) => f.path));
    expect(warm.commit).toBe(cold.commit);
    expect(server.control.counters()).toEqual({ "git/get-ref": 1 });
  });

  it("after a one-file commit: ref, tree and the one changed blob", async () => {
    const r = reader();
    const before = await r.snapshot("main");
    await before.readMany(before.files().map((f) => f.path));
    const path = overlayPath(appName(2), "dev");
    await server.control.commit(
      { [path]: overlayContent(appName(2), "dev", fakeDigest(appName(2), 99)) },
      { message: "bump dev" },
    );
    server.control.resetCounters();
    const after = await r.snapshot("main");
    const contents = await after.readMany(after.files().map((f) => f.path));
    expect(after.commit).not.toBe(before.commit);
    expect(contents.get(path)).toContain(fakeDigest(appName(2), 99));
    expect(server.control.totalRequests()).toBeLessThanOrEqual(4);
    expect(server.control.counters()).toEqual({ "git/get-ref": 1, "git/get-tree": 1, "git/get-blob": 1 });
  });

  it("reads at a commit SHA without asking for a ref", async () => {
    const r = reader();
    const head = (await server.control.head()) ?? "";
    const snap = await r.snapshot(head);
    expect(snap.commit).toBe(head);
    expect(server.control.counters()["git/get-ref"]).toBeUndefined();
  });

  it("history lists commits touching a path, newest first, with dates", async () => {
    const path = overlayPath(appName(3), "staging");
    // Dates after the seed commit's (which is "now"), a day apart.
    const day1 = new Date(Math.floor(Date.now() / 1000 + 86_400) * 1000);
    const day2 = new Date(day1.getTime() + 86_400_000);
    const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
    const first = await server.control.commit(
      { [path]: overlayContent(appName(3), "staging", fakeDigest(appName(3), 50)) },
      { message: "staging 50", date: day1 },
    );
    const second = await server.control.commit(
      { [path]: overlayContent(appName(3), "staging", fakeDigest(appName(3), 51)) },
      { message: "staging 51", date: day2 },
    );
    const history = await reader().history([path, overlayPath(appName(3), "prod")], { limit: 10 });
    expect(history[0]).toMatchObject({ sha: second, date: isoSeconds(day2), message: "staging 51" });
    expect(history[1]).toMatchObject({ sha: first, date: isoSeconds(day1) });
    expect(history.at(-1)?.message).toBe("Seed repository");
    expect(server.control.counters()["repos/list-commits"]).toBe(2);
  });

  it("refuses a truncated tree with a typed error", async () => {
    server.control.setTreeEntryLimit(3);
    await expect(reader().snapshot("main")).rejects.toBeInstanceOf(TruncatedTreeError);
  });

  it("refuses a blob over the size limit without fetching it", async () => {
    await server.control.commit({ "big.yaml": `# ${"x".repeat(1024 * 1024)}\n` });
    const snap = await reader().snapshot("main");
    await expect(snap.read("big.yaml")).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(snap.read("big.yaml")).rejects.toThrow(/big\.yaml is 1\.0 MiB, over Ladder's 1\.0 MiB limit/);
    expect(server.control.counters()["git/get-blob"]).toBeUndefined();
    await server.control.commit({ "big.yaml": null });
  });

  it("typed errors: bad token, missing repository, missing branch", async () => {
    const bad = reader({ auth: { kind: "token", token: "wrong" } });
    await expect(bad.snapshot("main")).rejects.toBeInstanceOf(BadCredentialsError);
    await expect(reader({}, "nope").snapshot("main")).rejects.toBeInstanceOf(RepoNotFoundError);
    await expect(reader({}, "nope").snapshot("main")).rejects.toThrow("Repository acme/nope not found");
    await expect(reader().snapshot("no-such-branch")).rejects.toBeInstanceOf(RefNotFoundError);
    await expect(reader().snapshot("no-such-branch")).rejects.toThrow(
      'Branch or commit "no-such-branch" not found in acme/gitops',
    );
  });

  it("typed error when GitHub is unreachable", async () => {
    const r = createGitHubReader({
      client: createGitHubClient(config({ baseUrl: "http://127.0.0.1:9/api/v3", retries: 1 })),
      owner: "acme",
      repo: "gitops",
    });
    await expect(r.snapshot("main")).rejects.toBeInstanceOf(GitHubUnreachableError);
  });

  it("authenticates as a GitHub App installation, and names the repo when not installed", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const app = reader({ auth: { kind: "app", appId: 42, privateKey, installationId: 1 } });
    const snap = await app.snapshot("main");
    expect(snap.files().length).toBeGreaterThan(0);
    expect(server.control.counters()["apps/create-installation-access-token"]).toBe(1);
    const missing = reader({ auth: { kind: "app", appId: 42, privateKey, installationId: 999 } });
    const error = await missing.snapshot("main").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppNotInstalledError);
    expect((error as Error).message).toContain("GitHub App not installed on acme/gitops");
  });

  it("serves the same API under /api/v3 and at the root", async () => {
    const root = createGitHubReader({
      client: createGitHubClient(config({ baseUrl: server.url })),
      owner: "acme",
      repo: "gitops",
      blobCache: new BlobCache(),
    });
    expect((await root.snapshot("main")).commit).toBe(await server.control.head());
  });
});
