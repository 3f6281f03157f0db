/**
 * Promotion writes and PR tracking against the GitHub-compatible server (strict OpenAPI mode).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appName, fakeDigest, generateGitOpsRepo, overlayContent, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient, type GitHubClient } from "../../lib/github/client";
import { ConflictError, StaleViewError } from "../../lib/github/errors";
import { createGitHubReader } from "../../lib/github/github-reader";
import { type OpenPromotionPrInput, openPromotionPr } from "../../lib/github/open-promotion-pr";
import { promotionBranchName } from "../../lib/github/promotion-pr-text";
import { closePullRequest, findPullRequestByBranch, getPullRequest } from "../../lib/github/pull-requests";
import { type GitHubWebhookEvent, parseWebhook, WebhookSignatureError } from "../../lib/github/webhooks";
import { WriteQueue } from "../../lib/github/write-queue";

const ENVS = ["dev", "staging", "prod"] as const;
const SECRET = "webhook-secret";
let server: GitHubServer;
let client: GitHubClient;
let receiver: Server;
let received: Array<GitHubWebhookEvent | Error> = [];

const newClient = () =>
  createGitHubClient({
    auth: { kind: "token", token: "test-token" },
    baseUrl: server.apiBaseUrl,
    retryBaseMs: 5,
    writeSpacingMs: 0,
  });

/** The promotion of `app` to prod with a new digest, as the web app would build it from a snapshot. */
async function planPromotion(
  app: string,
  build: number,
  overrides: Partial<OpenPromotionPrInput> = {},
): Promise<OpenPromotionPrInput & { path: string; content: string; oldDigest: string; newDigest: string; diff: string }> {
  const snapshot = await createGitHubReader({ client, owner: "acme", repo: "gitops", blobCache: new BlobCache() }).snapshot(
    "main",
  );
  const path = overlayPath(app, "prod");
  const file = snapshot.file(path);
  const current = (await snapshot.read(path)) ?? "";
  const oldDigest = fakeDigest(app, 1);
  const newDigest = fakeDigest(app, build);
  const content = current.replace(oldDigest, newDigest);
  const diff = `-    digest: ${oldDigest}\n+    digest: ${newDigest}\n`;
  return {
    client,
    owner: "acme",
    repo: "gitops",
    baseBranch: "main",
    seen: { commit: snapshot.commit, treeSha: snapshot.treeSha },
    files: [{ path, content, expectedBlobSha: file?.sha ?? "" }],
    fromEnv: "staging",
    toEnv: "prod",
    changes: [
      {
        app,
        image: `ghcr.io/acme/${app}`,
        from: { digest: oldDigest, tag: null },
        to: { digest: newDigest, tag: null },
        path,
        evidence: [{ environment: "staging", since: "2025-03-01T10:00:00Z" }],
        diff,
      },
    ],
    actor: "alice",
    path,
    content,
    oldDigest,
    newDigest,
    diff,
    ...overrides,
  };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      parseWebhook({ rawBody, secret: SECRET, header: (name) => req.headers[name] as string | undefined })
        .then((event) => {
          received.push(event);
          res.writeHead(204).end();
        })
        .catch((error: Error) => {
          received.push(error);
          res.writeHead(error instanceof WebhookSignatureError ? 401 : 400).end();
        });
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  server = await startGitHubServer({
    seed: generateGitOpsRepo({ apps: 6, environments: ENVS }),
    strict: true,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/github`,
    webhookSecret: SECRET,
  });
  client = newClient();
});

beforeEach(() => {
  received = [];
});

afterEach(async () => {
  await server.control.flushWebhooks();
  expect(server.control.violations()).toEqual([]);
  server.control.reset();
});

afterAll(async () => {
  await server.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe("openPromotionPr", () => {
  it("opens one PR with a one-file commit on a derived branch, in at most 6 requests", async () => {
    const input = await planPromotion(appName(0), 7);
    server.control.resetCounters();
    const pr = await openPromotionPr(input);
    expect(server.control.totalRequests()).toBeLessThanOrEqual(6);
    expect(server.control.counters()).toEqual({
      "git/get-ref": 1,
      "git/create-tree": 1,
      "git/create-commit": 1,
      "git/create-ref": 1,
      "pulls/create": 1,
    });
    expect(pr).toMatchObject({
      created: true,
      state: "open",
      branch: promotionBranchName(appName(0), "prod", input.newDigest),
      baseBranch: "main",
    });

    // The commit changes exactly the target file, with the Promoted-by trailer.
    const store = server.control.store;
    const branchHead = (await server.control.head(pr.branch)) ?? "";
    const diff = await store.diffNames(input.seen.commit, branchHead);
    expect(diff).toEqual({ added: [], modified: [input.path], removed: [] });
    const commit = await store.readCommit(branchHead);
    expect(commit?.parents).toEqual([input.seen.commit]);
    expect(commit?.message).toMatch(/Promoted-by: alice\n$/);

    const record = server.control.pullRequests().find((p) => p.number === pr.number);
    expect(record?.title).toBe(
      `Promote ${appName(0)} to prod: ${input.oldDigest.slice(7, 19)} → ${input.newDigest.slice(7, 19)}`,
    );
    expect(record?.body).toContain("### Evidence");
    expect(record?.body).toContain(input.diff.trim());
    expect(record?.body).toContain("Promoted-by: alice");
  });

  it("a second attempt returns the existing PR instead of opening another", async () => {
    const input = await planPromotion(appName(1), 7);
    const first = await openPromotionPr(input);
    const second = await openPromotionPr(input);
    expect(second).toMatchObject({ number: first.number, created: false, state: "open" });
    expect(server.control.pullRequests().filter((p) => p.head === first.branch)).toHaveLength(1);
  });

  it("two concurrent promotions of the same digest (two replicas) produce exactly one PR", async () => {
    const input = await planPromotion(appName(2), 7);
    // Separate clients and queues: nothing in-process serialises them, only GitHub's refs.
    const results = await Promise.all([
      openPromotionPr({ ...input, client: newClient(), queue: new WriteQueue() }),
      openPromotionPr({ ...input, client: newClient(), queue: new WriteQueue() }),
    ]);
    expect(results[0]?.number).toBe(results[1]?.number);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(server.control.pullRequests().filter((p) => p.head === results[0]?.branch)).toHaveLength(1);
  });

  it("still promotes when the base moved but the target file did not", async () => {
    const input = await planPromotion(appName(3), 7);
    await server.control.commit(
      { [overlayPath(appName(3), "dev")]: overlayContent(appName(3), "dev", fakeDigest(appName(3), 9)) },
      { message: "unrelated" },
    );
    server.control.resetCounters();
    const pr = await openPromotionPr(input);
    expect(pr.created).toBe(true);
    expect(server.control.counters()["repos/get-content"]).toBe(1);
    expect(server.control.totalRequests()).toBeLessThanOrEqual(6);
  });

  it("refuses a stale view: the target file changed since the user looked", async () => {
    const input = await planPromotion(appName(4), 7);
    await server.control.commit(
      { [input.path]: overlayContent(appName(4), "prod", fakeDigest(appName(4), 2)) },
      { message: "someone else promoted" },
    );
    const error = await openPromotionPr(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleViewError);
    expect((error as Error).message).toContain(`${input.path} changed since you looked`);
    expect(await server.control.branches()).not.toContain(promotionBranchName(appName(4), "prod", input.newDigest));
  });

  it("a failed write after the branch exists leaves no orphan branch", async () => {
    const input = await planPromotion(appName(5), 7);
    server.control.injectFault({
      kind: "status",
      status: 422,
      message: "Validation Failed",
      match: { operationId: "pulls/create" },
      times: 1,
    });
    const error = await openPromotionPr(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(await server.control.branches()).not.toContain(promotionBranchName(appName(5), "prod", input.newDigest));
    expect(server.control.counters()["git/delete-ref"]).toBe(1);
    // And a retry afterwards succeeds.
    expect((await openPromotionPr(input)).created).toBe(true);
  });
});

describe("pull request tracking and webhooks", () => {
  it("reads open → merged, delivers signed webhooks Ladder accepts", async () => {
    const input = await planPromotion(appName(0), 8);
    const pr = await openPromotionPr(input);
    expect((await getPullRequest(client, { owner: "acme", repo: "gitops" }, pr.number)).state).toBe("open");
    const mergeSha = await server.control.mergePullRequest(pr.number);
    const merged = await getPullRequest(client, { owner: "acme", repo: "gitops" }, pr.number);
    expect(merged).toMatchObject({ state: "merged", mergeCommitSha: mergeSha });
    expect(
      await server.control.store.readBlob(
        (await server.control.store.lsTree(mergeSha, true)).find((e) => e.path === input.path)?.sha ?? "",
      ),
    ).toEqual(Buffer.from(input.content));

    await server.control.flushWebhooks();
    const prEvents = received.filter(
      (e): e is Extract<GitHubWebhookEvent, { kind: "pull_request" }> => !(e instanceof Error) && e.kind === "pull_request",
    );
    expect(prEvents.map((e) => [e.action, e.state])).toEqual([
      ["opened", "open"],
      ["closed", "merged"],
    ]);
    const push = received.find((e) => !(e instanceof Error) && e.kind === "push" && e.branch === "main");
    expect(push).toMatchObject({ kind: "push", after: mergeSha, changedPaths: [input.path] });
    expect(received.filter((e) => e instanceof Error)).toEqual([]);
  });

  it("merges through the API and closes with a comment, deleting the branch", async () => {
    const repo = { owner: "acme", repo: "gitops" };
    const a = await openPromotionPr(await planPromotion(appName(1), 9));
    const { data } = await client.octokit.pulls.merge({ ...repo, pull_number: a.number, merge_method: "squash" });
    expect(data.merged).toBe(true);
    expect((await findPullRequestByBranch(client, repo, a.branch))?.state).toBe("merged");

    const b = await openPromotionPr(await planPromotion(appName(2), 9));
    const closed = await closePullRequest(client, repo, b.number, {
      comment: "Superseded by a newer promotion.",
      deleteBranch: true,
    });
    expect(closed.state).toBe("closed");
    expect(server.control.comments(b.number)).toEqual(["Superseded by a newer promotion."]);
    expect(await server.control.branches()).not.toContain(b.branch);
  });

  it("webhooks signed with the wrong secret are rejected", async () => {
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/github`;
    server.control.setWebhook(receiverUrl, "not-the-secret");
    try {
      await server.control.commit({ "notes.txt": "hello\n" }, { message: "note" });
      await server.control.flushWebhooks();
      expect(received).toHaveLength(1);
      expect(received[0]).toBeInstanceOf(WebhookSignatureError);
      expect(server.control.deliveries().at(-1)?.status).toBe(401);
    } finally {
      server.control.setWebhook(receiverUrl, SECRET);
    }
  });
});
