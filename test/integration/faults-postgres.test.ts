/**
 * Postgres goes away in the middle of a promotion. The promoting replica reaches the database
 * through a TCP proxy that the test cuts (the machine's shared PostgreSQL server is never
 * touched): between the PENDING insert and the GitHub call, between the PR and the OPEN update,
 * and before anything was written. Webhooks are off during the outage — the same database would
 * be down for their receiver too. Afterwards a retry or the reconciler finishes the promotion:
 * one PR, one row, its status GitHub's, no orphan branch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../lib/db/client";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { getPromotionWithEvents } from "../../lib/promotion/history";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { reconcile } from "../../lib/promotion/track-pull-requests";
import {
  branchesOf,
  type CuttableProxy,
  expectConsistent,
  HookedQueue,
  pullsOf,
  rowsOf,
  startCuttableProxy,
} from "../support/fault-kit";
import { replicaContext, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
let world: World;
let proxy: CuttableProxy;
let proxiedDb: Db;

beforeAll(async () => {
  world = await startWorld({ apps: ["before", "after", "both", "claim"] });
  proxy = await startCuttableProxy(world.database.url);
  proxiedDb = createDb(proxy.url, { poolMax: 4 });
});

afterEach(async () => {
  proxy.restore();
  world.server.control.setWebhook(world.webhookUrl);
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
  world.server.control.clearFaults();
});

afterAll(async () => {
  await proxiedDb?.$disconnect();
  await proxy?.close();
  await world?.stop();
});

/** A replica whose database is behind the proxy, with a hook at the start of its GitHub writes. */
function proxiedReplica(): { ctx: PromotionContext; queue: HookedQueue } {
  const queue = new HookedQueue();
  return { ctx: { ...replicaContext(proxiedDb, world.server.apiBaseUrl), queue }, queue };
}

function outage(): void {
  world.server.control.setWebhook(undefined);
  proxy.cut();
}

async function eventTypes(id: string): Promise<string[]> {
  return (await getPromotionWithEvents(world.db, id))?.events.map((e) => e.type) ?? [];
}

describe("Postgres unavailable", () => {
  it("between the PENDING insert and the GitHub call: the PR opens, the result says unrecorded; the retry records it once", async () => {
    const { ctx, queue } = proxiedReplica();
    const preview = await previewPromotion(ctx, { app: "before", toEnv: "prod" }, alice);
    queue.arm(outage);
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    expect(result).toMatchObject({ ok: false, reason: "unrecorded" });
    if (!result.ok) expect(result.prUrl).toBeTruthy();
    expect(pullsOf(world, "before")).toHaveLength(1);
    const [pending] = await rowsOf(world, "before");
    expect(pending).toMatchObject({ status: "PENDING", prNumber: null });

    proxy.restore();
    // The person clicks again: the same attempt finds its PR by branch name instead of opening another.
    const retry = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    expect(retry).toMatchObject({ ok: true, status: "existing", promotion: { id: pending?.id, status: "OPEN", attempt: 1 } });
    expect(pullsOf(world, "before")).toHaveLength(1);
    expect(await eventTypes(pending?.id ?? "")).toEqual(["promotion.requested", "promotion.opened"]);
    await reconcile(world.ctx, { budget: 50 });
    await expectConsistent(world, "before");
  });

  it("between the PR and the OPEN update: the row stays PENDING; reconcile repairs it by branch name, then follows the merge", async () => {
    const { ctx } = proxiedReplica();
    const preview = await previewPromotion(ctx, { app: "after", toEnv: "prod" }, alice);
    ctx.github.octokit.hook.after("request", (_response, options) => {
      if (options.method === "POST" && /\/pulls$/.test(String(options.url))) outage();
    });
    // The "opened" delivery races the API answer; its receiver shares the database that is about to go.
    world.server.control.setWebhook(undefined);
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    expect(result).toMatchObject({ ok: false, reason: "unrecorded" });
    const [pending] = await rowsOf(world, "after");
    expect(pending?.status).toBe("PENDING");
    expect(pullsOf(world, "after")).toHaveLength(1);

    proxy.restore();
    world.server.control.setWebhook(world.webhookUrl);
    const repaired = await reconcile(world.ctx, { budget: 50 });
    expect(repaired.transitions).toContainEqual({ id: pending?.id, from: "PENDING", to: "OPEN" });
    await expectConsistent(world, "after");
    const pr = pullsOf(world, "after")[0];
    await world.server.control.mergePullRequest(pr?.number ?? 0);
    await world.server.control.flushWebhooks();
    expect(await world.db.promotion.findUniqueOrThrow({ where: { id: pending?.id ?? "" } })).toMatchObject({
      status: "MERGED",
      prNumber: pr?.number,
    });
    expect(await eventTypes(pending?.id ?? "")).toEqual(["promotion.requested", "promotion.opened", "promotion.merged"]);
    await expectConsistent(world, "after");
  });

  it("down while GitHub also fails: the failure cannot be recorded, the branch is removed; reconcile fails the row, the retry completes", async () => {
    const { ctx, queue } = proxiedReplica();
    const preview = await previewPromotion(ctx, { app: "both", toEnv: "prod" }, alice);
    world.server.control.injectFault({ kind: "status", status: 502, match: { operationId: "pulls/create" }, times: 20 });
    queue.arm(outage);
    await expect(requestPromotion(ctx, { token: preview.token ?? "", actor: alice })).rejects.toThrow();
    expect(pullsOf(world, "both")).toEqual([]);
    expect(await branchesOf(world, "both")).toEqual([]);
    const [pending] = await rowsOf(world, "both");
    expect(pending?.status).toBe("PENDING");

    proxy.restore();
    world.server.control.clearFaults();
    const swept = await reconcile(world.ctx, { budget: 50, pendingGraceMs: 0 });
    expect(swept.transitions).toContainEqual({ id: pending?.id, from: "PENDING", to: "FAILED" });
    const retry = await requestPromotion(ctx, {
      token: (await previewPromotion(ctx, { app: "both", toEnv: "prod" }, alice)).token ?? "",
      actor: alice,
    });
    expect(retry).toMatchObject({ ok: true, status: "opened", promotion: { status: "OPEN", attempt: 2 } });
    await expectConsistent(world, "both");
    expect((await rowsOf(world, "both")).map((r) => r.status)).toEqual(["FAILED", "OPEN"]);
  });

  it("down before the PENDING insert: the request fails, nothing is written anywhere; after recovery it goes through", async () => {
    const { ctx } = proxiedReplica();
    const preview = await previewPromotion(ctx, { app: "claim", toEnv: "prod" }, alice);
    world.server.control.resetCounters();
    outage();
    await expect(requestPromotion(ctx, { token: preview.token ?? "", actor: alice })).rejects.toThrow();
    const writes = Object.entries(world.server.control.counters()).filter(([op]) => /create|update|delete/.test(op));
    expect(writes).toEqual([]);
    expect(await rowsOf(world, "claim")).toEqual([]);
    proxy.restore();
    expect(await requestPromotion(ctx, { token: preview.token ?? "", actor: alice })).toMatchObject({
      ok: true,
      promotion: { status: "OPEN", attempt: 1 },
    });
    await expectConsistent(world, "claim");
  });
});
