/**
 * Fault handling against the GitHub-compatible server: retries, rate limits, resets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateGitOpsRepo } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient, type GitHubClientConfig } from "../../lib/github/client";
import { GitHubUnreachableError, RateLimitedError } from "../../lib/github/errors";
import { createGitHubReader } from "../../lib/github/github-reader";

let server: GitHubServer;

const reader = (overrides: Partial<GitHubClientConfig> = {}) =>
  createGitHubReader({
    client: createGitHubClient({
      auth: { kind: "token", token: "test-token" },
      baseUrl: server.apiBaseUrl,
      retryBaseMs: 5,
      writeSpacingMs: 0,
      ...overrides,
    }),
    owner: "acme",
    repo: "gitops",
    defaultBranch: "main",
    blobCache: new BlobCache(),
  });

beforeAll(async () => {
  server = await startGitHubServer({ seed: generateGitOpsRepo({ apps: 2, environments: ["dev", "prod"] }), strict: true });
});

afterEach(() => {
  expect(server.control.violations()).toEqual([]);
  server.control.reset();
});

afterAll(async () => {
  await server.stop();
});

describe("faults", () => {
  it("a 502 is retried and the read succeeds", async () => {
    server.control.injectFault({
      kind: "status",
      status: 502,
      message: "Bad Gateway",
      match: { operationId: "git/get-tree" },
      times: 2,
    });
    const snap = await reader().snapshot();
    expect(snap.files().length).toBeGreaterThan(0);
    expect(server.control.counters()["git/get-tree"]).toBe(3);
  });

  it("a reset connection is retried", async () => {
    server.control.injectFault({ kind: "reset", match: { operationId: "git/get-ref" }, times: 1 });
    await reader().snapshot();
    expect(server.control.counters()["git/get-ref"]).toBe(2);
  });

  it("persistent 5xx becomes a typed 'unreachable' error after the retries", async () => {
    server.control.injectFault({ kind: "status", status: 503, match: { operationId: "git/get-ref" } });
    const error = await reader({ retries: 2 })
      .snapshot()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubUnreachableError);
    expect(server.control.counters()["git/get-ref"]).toBe(3);
  });

  it("a secondary rate limit waits for retry-after and succeeds", async () => {
    server.control.injectFault({ kind: "secondary-rate-limit", retryAfter: 1, match: { operationId: "git/get-tree" }, times: 1 });
    const started = Date.now();
    const snap = await reader().snapshot();
    expect(snap.files().length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.control.counters()["git/get-tree"]).toBe(2);
  });

  it("an exhausted primary rate limit far away fails fast with the reset time", async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    server.control.injectFault({ kind: "rate-limit", resetAt, match: { operationId: "git/get-ref" } });
    const error = await reader()
      .snapshot()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const hhmm = new Date(resetAt * 1000).toISOString().slice(11, 16);
    expect((error as Error).message).toBe(`GitHub rate limit exhausted until ${hhmm} UTC.`);
    expect(server.control.counters()["git/get-ref"]).toBe(1);
  });

  it("injected latency applies to matching requests", async () => {
    server.control.injectFault({ kind: "latency", ms: 200, match: { operationId: "git/get-ref" }, times: 1 });
    const started = Date.now();
    await reader().snapshot();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("strict mode turns a schema violation into a 500 and records it", async () => {
    const octokit = createGitHubClient({
      auth: { kind: "token", token: "test-token" },
      baseUrl: server.apiBaseUrl,
      retries: 0,
    }).octokit;
    // per_page must be an integer per GitHub's description.
    const error = await octokit.request("GET /repos/acme/gitops/commits?per_page=many").catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(500);
    expect(server.control.violations()).toHaveLength(1);
    expect(server.control.violations()[0]).toMatchObject({ operationId: "repos/list-commits", phase: "request" });
    server.control.clearViolations();
  });

  it("the validator rejects a response body that breaks GitHub's schema", () => {
    const { validator } = server.control;
    expect(validator.validateResponse("git/get-tree", 200, { sha: "x", tree: [], truncated: false })).toBeUndefined();
    expect(validator.validateResponse("git/get-tree", 200, { sha: "x", tree: [{ path: "a" }], truncated: false })).toMatch(
      /required property/,
    );
    expect(validator.validateResponse("pulls/get", 200, { number: 1 })).toMatch(/required property/);
    expect(validator.validateWebhook("push", { ref: "refs/heads/main" })).toMatch(/required property/);
  });
});

describe("HTTP control API (for the demo and Playwright)", () => {
  it("injects faults, reads counters, commits and merges over HTTP", async () => {
    const post = async (path: string, body: unknown) =>
      (await fetch(`${server.url}/_control/${path}`, { method: "POST", body: JSON.stringify(body) })).json() as Promise<
        Record<string, unknown>
      >;
    const { id } = await post("faults", {
      kind: "status",
      status: 503,
      match: { path: "^/repos/acme/gitops/git/ref/" },
      times: 1,
    });
    expect(typeof id).toBe("number");
    const { sha } = await post("commit", {
      files: { "http.txt": "via control\n" },
      message: "control commit",
      branch: "feature",
    });
    expect(sha).toBe(await server.control.head("feature"));
    const r = reader();
    expect((await r.snapshot("feature")).commit).toBe(sha);
    const counters = (await (await fetch(`${server.url}/_control/counters`)).json()) as {
      counters: Record<string, number>;
      total: number;
    };
    expect(counters.counters["git/get-ref"]).toBe(2); // the 503, then the retry

    const octokit = createGitHubClient({
      auth: { kind: "token", token: "test-token" },
      baseUrl: server.apiBaseUrl,
      writeSpacingMs: 0,
    }).octokit;
    const pr = await octokit.pulls.create({ owner: "acme", repo: "gitops", head: "feature", base: "main", title: "Feature" });
    const merged = await post(`pulls/${pr.data.number}/merge`, {});
    expect(merged.sha).toBe(await server.control.head("main"));
    expect((await octokit.pulls.get({ owner: "acme", repo: "gitops", pull_number: pr.data.number })).data.merged).toBe(true);
  });
});
