/**
 * Review and check status, and ladder.yaml `autoMerge`, against the strict GitHub stand-in:
 * `pull_request_review`, `status` and `check_suite` webhooks keep an OPEN promotion's status
 * current ("OPEN · 1 of 2 approvals · checks pending"); the reconciler catches up on a missed
 * webhook; auto-merge merges only once GitHub says clean and the soak has passed, never while
 * protection blocks, records who and what merged, and records a refused merge (a head that
 * moved, a 405) without asking again until something changes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseWebhook } from "../../lib/github/webhooks";
import { previewBundle } from "../../lib/promotion/bundle";
import { requestBundle } from "../../lib/promotion/bundle-request";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { getPromotionWithEvents } from "../../lib/promotion/history";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { type PromotionRecord, toPromotionRecord } from "../../lib/promotion/promotion-record";
import { refreshPromotions } from "../../lib/promotion/refresh-review-status";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { describePromotionStatus } from "../../lib/promotion/review-status";
import { processWebhook, reconcile, type WebhookResult } from "../../lib/promotion/track-pull-requests";
import { SECRET, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
let world: World;
let receiver: Server;
const results: Array<WebhookResult | Error> = [];

/** Ladder's webhook intake as the route runs it: record the delivery, then re-read what it names. */
async function startReceiver(ctx: PromotionContext): Promise<string> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      parseWebhook({ rawBody, secret: SECRET, header: (name) => req.headers[name] as string | undefined })
        .then((event) => processWebhook(ctx.db, event))
        .then(async (result) => {
          results.push(result);
          if (result.outcome === "refresh") await refreshPromotions(ctx, result.promotionIds);
          res.writeHead(202).end();
        })
        .catch((error: Error) => {
          results.push(error);
          res.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/webhooks/github`;
}

let hookUrl = "";

beforeAll(async () => {
  // prod merges itself once GitHub says so and the digest has soaked an hour in staging
  // (the seed is ten days old); staging never does.
  world = await startWorld({
    apps: ["api", "web", "cart", "docs", "mail", "search", "auth", "pay", "ship", "blog"],
    ladder: { prod: { autoMerge: true, soak: "1h" } },
  });
  hookUrl = await startReceiver(world.ctx);
  world.server.control.setWebhook(hookUrl, SECRET);
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
  const errors = results.filter((r) => r instanceof Error);
  results.length = 0;
  expect(errors).toEqual([]);
  world.server.control.clearFaults();
  world.server.control.setBranchProtection(null);
  world.server.control.setWebhook(hookUrl, SECRET);
});

afterAll(async () => {
  await world?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

async function promote(app: string, toEnv: string): Promise<PromotionRecord> {
  const preview = await previewPromotion(world.ctx, { app, toEnv }, alice);
  if (!preview.token) throw new Error(`not allowed: ${JSON.stringify(preview.checks.filter((c) => c.status === "fail"))}`);
  const result = await requestPromotion(world.ctx, { token: preview.token, actor: alice });
  if (!result.ok) throw new Error(result.message);
  expect(result.promotion.status).toBe("OPEN");
  return result.promotion;
}

async function record(id: string): Promise<PromotionRecord> {
  await world.server.control.flushWebhooks();
  return toPromotionRecord(await world.db.promotion.findUniqueOrThrow({ where: { id } }));
}

const summary = async (id: string) => {
  const p = await record(id);
  return describePromotionStatus(p.status, p.reviewStatus);
};

const events = async (id: string) => (await getPromotionWithEvents(world.db, id))?.events ?? [];

const merges = () => world.server.control.counters()["pulls/merge"] ?? 0;

describe("review and check status", () => {
  it("follows reviews and statuses through webhooks: OPEN · 1 of 2 approvals · checks pending", async () => {
    world.server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test"] });
    const p = await promote("web", "staging");
    const pr = p.prNumber ?? 0;

    world.server.control.review(pr, { user: "alice", event: "APPROVE" });
    expect(await summary(p.id)).toBe("OPEN · 1 of 2 approvals · checks pending");
    expect((await record(p.id)).reviewStatus).toMatchObject({
      mergeableState: "blocked",
      reviews: { decision: "review-required", approvals: 1, required: 2, approvedBy: ["alice"] },
      checks: { state: "pending", list: [{ name: "ci/test", state: "pending", required: true }] },
      protection: "read",
    });

    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "failure" });
    expect(await summary(p.id)).toBe("OPEN · 1 of 2 approvals · checks failing");
    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "success" });
    world.server.control.review(pr, { user: "bob", event: "REQUEST_CHANGES", body: "wait for the release" });
    expect(await summary(p.id)).toBe("OPEN · changes requested by bob · checks passed");
    world.server.control.review(pr, { user: "bob", event: "APPROVE" });
    expect(await summary(p.id)).toBe("OPEN · 2 of 2 approvals · checks passed");

    // A check suite finishing counts too (its webhook names the pull request).
    await world.server.control.reportCheck({ pull: pr }, { name: "build", status: "in_progress" });
    await world.server.control.reportCheck({ pull: pr }, { name: "build", conclusion: "success" });
    expect((await record(p.id)).reviewStatus?.checks.list.map((c) => c.name)).toEqual(["ci/test", "build"]);
    expect(results.filter((r) => !(r instanceof Error) && r.outcome === "refresh").length).toBeGreaterThanOrEqual(6);

    // staging has no autoMerge: clean is not enough, a person merges — and the webhook records it as before.
    expect((await record(p.id)).reviewStatus?.mergeableState).toBe("clean");
    expect(merges()).toBe(0);
    await world.server.control.mergePullRequest(pr);
    expect((await record(p.id)).status).toBe("MERGED");
    const trail = await events(p.id);
    expect(trail.map((e) => e.type)).toEqual(["promotion.requested", "promotion.opened", "promotion.merged"]);
    expect(trail.at(-1)).toMatchObject({ actor: "github", detail: { source: "webhook" } });
    expect(await summary(p.id)).toBe("MERGED");
  });

  it("catches up in the reconciler when a webhook was missed", async () => {
    world.server.control.setBranchProtection({ requiredApprovingReviews: 1, requiredChecks: ["ci/test"] });
    const p = await promote("cart", "staging");
    const pr = p.prNumber ?? 0;
    world.server.control.setWebhook(undefined);
    world.server.control.review(pr, { user: "alice", event: "APPROVE" });
    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "pending" });
    expect((await record(p.id)).reviewStatus).toBeNull();

    const result = await reconcile(world.ctx, { budget: 50 });
    expect(result.errors).toEqual([]);
    expect(await summary(p.id)).toBe("OPEN · 1 of 1 approval · checks pending");
    await world.server.control.closePullRequest(pr);
    await reconcile(world.ctx, { budget: 50 });
    expect((await record(p.id)).status).toBe("CLOSED");
  });
});

describe("auto-merge", () => {
  it("merges once checks pass and reviews suffice, recording who and what merged", async () => {
    world.server.control.setBranchProtection({ requiredApprovingReviews: 1, requiredChecks: ["ci/test"] });
    const p = await promote("api", "prod");
    const pr = p.prNumber ?? 0;
    world.server.control.review(pr, { user: "alice", event: "APPROVE" });
    expect(await summary(p.id)).toBe("OPEN · 1 of 1 approval · checks pending");
    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "pending" });
    expect((await record(p.id)).status).toBe("OPEN");
    expect(merges()).toBe(0);

    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "success" });
    const merged = await record(p.id);
    expect(merged.status).toBe("MERGED");
    expect(merges()).toBe(1);
    const onGitHub = world.server.control.pullRequests().find((x) => x.number === pr);
    expect(onGitHub).toMatchObject({ merged: true });
    expect(await world.server.control.head()).toBe(onGitHub?.mergeCommitSha);

    // The pull_request closed webhook races Ladder's own record of the merge: whichever lands
    // first moves the row to MERGED, the other changes nothing, and there is one merge event.
    const trail = await events(p.id);
    expect(trail.map((e) => e.type).sort()).toEqual([
      "promotion.auto-merged",
      "promotion.merged",
      "promotion.opened",
      "promotion.requested",
    ]);
    expect(trail.find((e) => e.type === "promotion.auto-merged")).toMatchObject({
      actor: "ladder",
      detail: {
        prNumber: pr,
        headSha: p.headCommit,
        mergeableState: "clean",
        approvedBy: ["alice"],
        requiredApprovals: 1,
        checks: [{ name: "ci/test", state: "success", required: true }],
        identity: expect.stringMatching(/^token:[0-9a-f]{16}$/),
        mergeCommit: onGitHub?.mergeCommitSha,
      },
    });
    expect(trail.find((e) => e.type === "promotion.merged")).toMatchObject({
      detail: { mergeCommit: onGitHub?.mergeCommitSha },
    });
  });

  it("never merges while branch protection blocks, even with every check green", async () => {
    world.server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test"] });
    const p = await promote("docs", "prod");
    const pr = p.prNumber ?? 0;
    const before = merges();
    world.server.control.review(pr, { user: "alice", event: "APPROVE" });
    await world.server.control.setStatus({ pull: pr }, { context: "ci/test", state: "success" });
    await world.server.control.reportCheck({ pull: pr }, { name: "build", conclusion: "success" });
    expect(await summary(p.id)).toBe("OPEN · 1 of 2 approvals · checks passed");
    expect((await record(p.id)).reviewStatus?.mergeableState).toBe("blocked");
    await reconcile(world.ctx, { budget: 50 });
    expect(merges()).toBe(before);
    expect((await record(p.id)).status).toBe("OPEN");
    await world.server.control.closePullRequest(pr);
  });

  it("never merges before the soak has passed", async () => {
    const p = await promote("mail", "prod");
    const before = merges();
    const row = await world.db.promotion.findUniqueOrThrow({ where: { id: p.id } });
    // The same moment seen from half an hour after the digest reached staging: an hour's soak is not over.
    const early: PromotionContext = {
      ...world.ctx,
      now: () => new Date((row.sourceSince?.getTime() ?? 0) + 30 * 60_000),
    };
    const [first] = await refreshPromotions(early, [p.id]);
    expect(first?.result?.status?.mergeableState).toBe("clean");
    expect(first?.result?.autoMerge).toMatchObject({ outcome: "skipped", reason: expect.stringMatching(/^soak of 1h not over/) });
    expect(merges()).toBe(before);
    expect((await record(p.id)).status).toBe("OPEN");

    const [later] = await refreshPromotions(world.ctx, [p.id]);
    expect(later?.result?.autoMerge).toMatchObject({ outcome: "merged" });
    expect((await record(p.id)).status).toBe("MERGED");
  });

  it("asks GitHub once when two webhooks find the same pull request ready at once", async () => {
    const p = await promote("blog", "prod");
    const before = merges();
    const [a, b] = await Promise.all([refreshPromotions(world.ctx, [p.id]), refreshPromotions(world.ctx, [p.id])]);
    const outcomes = [a?.[0]?.result?.autoMerge?.outcome, b?.[0]?.result?.autoMerge?.outcome].sort();
    expect(outcomes).toEqual(["merged", "skipped"]);
    expect(merges()).toBe(before + 1);
    expect((await record(p.id)).status).toBe("MERGED");
    expect((await events(p.id)).map((e) => e.type)).not.toContain("promotion.auto-merge-refused");
  });
});

describe("auto-merge of a bundle", () => {
  it("merges the one pull request only when every app in it may go, then records each as merged", async () => {
    const preview = await previewBundle(world.ctx, { toEnv: "prod", apps: ["pay", "ship"] }, alice);
    if (!preview.token) throw new Error(JSON.stringify(preview.leftOut));
    const bundle = await requestBundle(world.ctx, { token: preview.token, actor: alice });
    if (!bundle.ok) throw new Error(bundle.message);
    const [pay, ship] = bundle.promotions;
    if (!pay || !ship) throw new Error("two promotions expected");
    const before = merges();
    // ship's digest reached staging only just now (as far as its row knows): its soak is not over.
    await world.db.promotion.update({ where: { id: ship.id }, data: { sourceSince: new Date() } });
    const [first] = await refreshPromotions(world.ctx, [pay.id]);
    expect(first?.result?.autoMerge).toMatchObject({
      outcome: "skipped",
      reason: expect.stringMatching(/^ship, in the same pull request: soak of 1h not over/),
    });
    expect(merges()).toBe(before);

    await world.db.promotion.update({ where: { id: ship.id }, data: { sourceSince: new Date(Date.now() - 2 * 3_600_000) } });
    const [second] = await refreshPromotions(world.ctx, [pay.id]);
    expect(second?.result?.autoMerge).toMatchObject({ outcome: "merged" });
    expect((await record(pay.id)).status).toBe("MERGED");
    // The other app of the pull request follows through the pull_request webhook.
    expect((await record(ship.id)).status).toBe("MERGED");
    expect((await events(pay.id)).find((e) => e.type === "promotion.auto-merged")?.detail).toMatchObject({ bundle: [ship.id] });
  });
});

describe("auto-merge refused", () => {
  it("records a merge GitHub refused because the head moved, and leaves the new head to a person", async () => {
    const world2 = world;
    const p = await promote("search", "prod");
    const pr = p.prNumber ?? 0;
    const before = merges();
    // GitHub is slow to merge; meanwhile someone pushes to the promotion branch.
    world2.server.control.injectFault({ kind: "latency", ms: 1500, match: { operationId: "pulls/merge" }, times: 1 });
    const pending = refreshPromotions(world2.ctx, [p.id]);
    for (let i = 0; i < 200 && merges() === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(merges()).toBe(before + 1);
    await world2.server.control.commit({ "notes.txt": "pushed by hand\n" }, { branch: p.branch ?? "", message: "Push" });
    const [refused] = await pending;
    expect(refused?.result?.autoMerge).toEqual({
      outcome: "refused",
      status: 409,
      message: "Head branch was modified. Review and try the merge again.",
    });
    const row = await record(p.id);
    expect(row.status).toBe("OPEN");
    expect(row.autoMergeRefusal).toMatchObject({ status: 409, headSha: p.headCommit });
    const trail = await events(p.id);
    expect(trail.at(-1)).toMatchObject({
      type: "promotion.auto-merge-refused",
      actor: "ladder",
      detail: { status: 409, headSha: p.headCommit },
    });

    // The new head is not Ladder's commit: no second try, however green it gets.
    const [again] = await refreshPromotions(world2.ctx, [p.id]);
    expect(again?.result?.autoMerge).toMatchObject({ outcome: "skipped", reason: expect.stringContaining("head moved") });
    expect(merges()).toBe(before + 1);
    await world2.server.control.closePullRequest(pr);
  });

  it("does not ask again after a refusal until what it sees changes", async () => {
    world.server.control.setBranchProtection({ requiredApprovingReviews: 1, requiredChecks: [] });
    const p = await promote("auth", "prod");
    const pr = p.prNumber ?? 0;
    const before = merges();
    world.server.control.injectFault({
      kind: "status",
      status: 405,
      message: "Repository rule violations found",
      match: { operationId: "pulls/merge" },
      times: 1,
    });
    world.server.control.review(pr, { user: "alice", event: "APPROVE" });
    expect((await record(p.id)).autoMergeRefusal).toMatchObject({ status: 405, message: "Repository rule violations found" });
    expect(merges()).toBe(before + 1);

    // Same head, same reviews, same checks: the reconciler and further webhooks leave it alone.
    await reconcile(world.ctx, { budget: 50 });
    await refreshPromotions(world.ctx, [p.id]);
    expect(merges()).toBe(before + 1);
    expect((await record(p.id)).status).toBe("OPEN");

    // A new approval is a change: Ladder asks once more, and GitHub merges.
    world.server.control.review(pr, { user: "bob", event: "APPROVE" });
    expect((await record(p.id)).status).toBe("MERGED");
    expect(merges()).toBe(before + 2);
    const types = (await events(p.id)).map((e) => e.type);
    expect(types.filter((t) => t === "promotion.auto-merge-refused")).toHaveLength(1);
    // Ladder's record of the merge and the pull_request webhook's may land in either order.
    expect(types.slice(-2).sort()).toEqual(["promotion.auto-merged", "promotion.merged"]);
  });
});
