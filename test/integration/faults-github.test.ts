/**
 * GitHub faults in the middle of a promotion, against the strict test server: a 5xx after the
 * branch was created, a connection reset during pulls.create (before and after GitHub acted), a
 * secondary rate limit with retry-after, and a 409 because the target file moved. After each:
 * the recorded promotions are exactly those that happened, every row matches its PR (after a
 * reconcile), no orphan branch is left, and a retry completes instead of duplicating.
 * (promotion-flow.test.ts covers a persistent 5xx on pulls.create before the branch existed.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { promotionBranchName } from "../../lib/github/promotion-pr-text";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { type RequestPromotionResult, requestPromotion } from "../../lib/promotion/request-promotion";
import { reconcile } from "../../lib/promotion/track-pull-requests";
import { branchesOf, expectConsistent, HookedQueue, pullsOf, rowsOf } from "../support/fault-kit";
import { commit, fakeDigest, overlay, overlayPath, startWorld, type World } from "../support/promotion-world";

const APPS = ["created", "lost", "reset", "resetafter", "resetmany", "secondary", "throttled", "stale", "moved", "conflict"];
const alice: Actor = { login: "alice" };
let world: World;

beforeAll(async () => {
  world = await startWorld({ apps: APPS });
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
  world.server.control.clearFaults();
  world.server.control.resetCounters();
});

afterAll(async () => {
  await world?.stop();
});

async function promote(app: string, ctx: PromotionContext = world.ctx): Promise<RequestPromotionResult> {
  const preview = await previewPromotion(ctx, { app, toEnv: "prod" }, alice);
  expect(preview.allowed, JSON.stringify(preview.checks)).toBe(true);
  return await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
}

/** Reconcile, then the invariant; returns the rows' statuses in order. */
async function settle(app: string): Promise<string[]> {
  await world.server.control.flushWebhooks();
  await reconcile(world.ctx, { budget: 100 });
  await expectConsistent(world, app);
  return (await rowsOf(world, app)).map((r) => r.status);
}

const branch = (app: string) => promotionBranchName(app, "prod", fakeDigest(app, 2));

describe("GitHub 5xx after the branch was created", () => {
  it("createRef wrote the branch but answered 502: the retry finds it, finishes the PR, one row OPEN", async () => {
    world.server.control.injectFault({
      kind: "status",
      status: 502,
      after: true,
      match: { operationId: "git/create-ref" },
      times: 1,
    });
    const result = await promote("created");
    expect(result).toMatchObject({ ok: true, promotion: { status: "OPEN", attempt: 1, branch: branch("created") } });
    expect(world.server.control.counters()["git/create-ref"]).toBe(2);
    expect(pullsOf(world, "created")).toHaveLength(1);
    expect(await settle("created")).toEqual(["OPEN"]);
  });

  it("the branch exists, then pulls.create keeps failing: FAILED, the branch is removed, the retry opens one PR", async () => {
    world.server.control.injectFault({
      kind: "status",
      status: 502,
      after: true,
      match: { operationId: "git/create-ref" },
      times: 1,
    });
    world.server.control.injectFault({ kind: "status", status: 503, match: { operationId: "pulls/create" }, times: 20 });
    const failed = await promote("lost");
    expect(failed).toMatchObject({ ok: false, reason: "failed", promotion: { status: "FAILED" } });
    expect(pullsOf(world, "lost")).toEqual([]);
    // This attempt did not know it created the branch (its answer was lost), yet it is gone.
    expect(await branchesOf(world, "lost")).toEqual([]);
    expect(await settle("lost")).toEqual(["FAILED"]);

    world.server.control.clearFaults();
    const retry = await promote("lost");
    expect(retry).toMatchObject({ ok: true, status: "opened", promotion: { status: "OPEN", attempt: 2 } });
    expect(pullsOf(world, "lost")).toHaveLength(1);
    expect(await settle("lost")).toEqual(["FAILED", "OPEN"]);
  });
});

describe("connection reset during pulls.create", () => {
  it("reset before GitHub acted: retried, one PR, one OPEN row", async () => {
    world.server.control.injectFault({ kind: "reset", match: { operationId: "pulls/create" }, times: 1 });
    const result = await promote("reset");
    expect(result).toMatchObject({ ok: true, promotion: { status: "OPEN" } });
    expect(world.server.control.counters()["pulls/create"]).toBe(2);
    expect(pullsOf(world, "reset")).toHaveLength(1);
    expect(await settle("reset")).toEqual(["OPEN"]);
  });

  it("reset after GitHub opened the PR (answer lost): the retry's 'already exists' yields that PR, not a second", async () => {
    world.server.control.injectFault({ kind: "reset", after: true, match: { operationId: "pulls/create" }, times: 1 });
    const result = await promote("resetafter");
    expect(result).toMatchObject({ ok: true, promotion: { status: "OPEN" } });
    const pulls = pullsOf(world, "resetafter");
    expect(pulls).toHaveLength(1);
    if (result.ok) expect(result.promotion.prNumber).toBe(pulls[0]?.number);
    expect(await settle("resetafter")).toEqual(["OPEN"]);
  });

  it("resets on every try: FAILED with the cause, branch removed; the retry completes", async () => {
    world.server.control.injectFault({ kind: "reset", match: { operationId: "pulls/create" }, times: 20 });
    const failed = await promote("resetmany");
    expect(failed).toMatchObject({ ok: false, reason: "failed" });
    if (!failed.ok) expect(failed.message).toMatch(/unreachable or failing/);
    expect(await branchesOf(world, "resetmany")).toEqual([]);
    world.server.control.clearFaults();
    expect(await promote("resetmany")).toMatchObject({ ok: true, promotion: { status: "OPEN", attempt: 2 } });
    expect(await settle("resetmany")).toEqual(["FAILED", "OPEN"]);
  });
});

describe("secondary rate limit with retry-after", () => {
  it("one secondary limit on pulls.create: waits retry-after, then opens the PR once", async () => {
    world.server.control.injectFault({
      kind: "secondary-rate-limit",
      retryAfter: 1,
      match: { operationId: "pulls/create" },
      times: 1,
    });
    const started = Date.now();
    const result = await promote("secondary");
    expect(result).toMatchObject({ ok: true, promotion: { status: "OPEN" } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(world.server.control.counters()["pulls/create"]).toBe(2);
    expect(pullsOf(world, "secondary")).toHaveLength(1);
    expect(await settle("secondary")).toEqual(["OPEN"]);
  });

  it("a limit that outlasts the retries: FAILED as rate-limited, no branch left, the later retry completes", async () => {
    world.server.control.injectFault({
      kind: "secondary-rate-limit",
      retryAfter: 1,
      match: { operationId: "pulls/create" },
      times: 10,
    });
    const failed = await promote("throttled");
    expect(failed).toMatchObject({ ok: false, reason: "failed" });
    if (!failed.ok) expect(failed.message).toMatch(/secondary rate limit/);
    const [row] = await rowsOf(world, "throttled");
    expect(row).toMatchObject({ status: "FAILED", openSlot: null });
    expect(await branchesOf(world, "throttled")).toEqual([]);
    world.server.control.clearFaults();
    expect(await promote("throttled")).toMatchObject({ ok: true, promotion: { status: "OPEN", attempt: 2 } });
    expect(await settle("throttled")).toEqual(["FAILED", "OPEN"]);
  });
});

describe("409: the target file moved", () => {
  it("the target file changes between the checks and the writes: refused as stale, nothing on GitHub", async () => {
    const queue = new HookedQueue();
    const ctx = { ...world.replica(), queue };
    const preview = await previewPromotion(ctx, { app: "stale", toEnv: "prod" }, alice);
    queue.arm(async () => {
      await commit(world, {
        [overlayPath("stale", "prod")]: overlay("stale", "prod", { digest: fakeDigest("stale", 1), tag: "1.1" }),
      });
    });
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    expect(result).toMatchObject({ ok: false, reason: "stale", promotion: { status: "FAILED" } });
    if (!result.ok) expect(result.message).toMatch(/changed since you looked/);
    const counters = world.server.control.counters();
    expect(counters["git/create-tree"] ?? 0).toBe(0);
    expect(await branchesOf(world, "stale")).toEqual([]);
    expect(pullsOf(world, "stale")).toEqual([]);
    expect(await settle("stale")).toEqual(["FAILED"]);
    // The old token stays refused; a fresh preview of the new head goes through.
    expect(await requestPromotion(ctx, { token: preview.token ?? "", actor: alice })).toMatchObject({
      ok: false,
      reason: "stale",
    });
    expect(await promote("stale")).toMatchObject({ ok: true, promotion: { status: "OPEN", attempt: 2 } });
    expect(await settle("stale")).toEqual(["FAILED", "OPEN"]);
  });

  it("another file changes meanwhile: not stale, the PR is built on the head the user saw", async () => {
    const queue = new HookedQueue();
    const ctx = { ...world.replica(), queue };
    const preview = await previewPromotion(ctx, { app: "moved", toEnv: "prod" }, alice);
    queue.arm(async () => {
      await commit(world, {
        [overlayPath("moved", "dev")]: overlay("moved", "dev", { digest: fakeDigest("moved", 9), tag: "1.0" }),
      });
    });
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    expect(result).toMatchObject({ ok: true, promotion: { status: "OPEN" } });
    if (result.ok) {
      const head = (await world.server.control.head(result.promotion.branch ?? "")) ?? "";
      expect(await world.server.control.store.diffNames(result.promotion.baseCommit, head)).toEqual({
        added: [],
        modified: [overlayPath("moved", "prod")],
        removed: [],
      });
    }
    expect(await settle("moved")).toEqual(["OPEN"]);
  });

  it("GitHub answers 409 to createRef: FAILED as a conflict, nothing left behind; the retry completes", async () => {
    world.server.control.injectFault({
      kind: "status",
      status: 409,
      message: "Reference update failed",
      match: { operationId: "git/create-ref" },
      // Octokit retries a 409; a conflict that persists is the case to handle.
      times: 10,
    });
    const failed = await promote("conflict");
    expect(failed).toMatchObject({ ok: false, reason: "failed", promotion: { status: "FAILED" } });
    if (!failed.ok) expect(failed.message).toMatch(/GitHub refused the change/);
    expect(await branchesOf(world, "conflict")).toEqual([]);
    world.server.control.clearFaults();
    expect(await promote("conflict")).toMatchObject({ ok: true, promotion: { status: "OPEN", attempt: 2 } });
    expect(await settle("conflict")).toEqual(["FAILED", "OPEN"]);
  });
});
