/**
 * Notifications through the real promotion path: ladder.yaml's `notify:` in the GitOps repository
 * (behind the GitHub stand-in) routes what requestPromotion, locks and GitHub's webhooks record.
 * A receiver that hangs does not slow a promotion — the worker and the promotion share ONE pooled
 * connection here, as on the embedded database, so a worker that held a connection or a
 * transaction across its HTTP request would stall the promotion behind it. A request refused by
 * policy is recorded and notified. Once the receiver answers, each event arrives once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../lib/db/client";
import { deliveriesOfPromotion } from "../../lib/notify/deliveries";
import { type RunningWorker, startDeliveryLoop } from "../../lib/notify/delivery-worker";
import { routingFromRepository } from "../../lib/notify/routing";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { lockEnvironment } from "../../lib/promotion/locks";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { SECRET, variables } from "../support/notification-fixtures";
import { type NotificationReceiver, startNotificationReceiver } from "../support/notification-receiver";
import { commit, ladderYaml, REPOSITORY, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };

let world: World;
let single: Db;
let ctx: PromotionContext;
let receiver: NotificationReceiver;
let loop: RunningWorker | undefined;

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  world = await startWorld({ apps: ["api", "web"] });
  receiver = await startNotificationReceiver({ secret: SECRET });
  await commit(
    world,
    {
      "ladder.yaml": [
        ladderYaml(),
        "notify:",
        "  - name: ops",
        "    kind: webhook",
        "    urlEnv: LADDER_NOTIFY_OPS_URL",
        "    secretEnv: LADDER_NOTIFY_OPS_SECRET",
        "",
      ].join("\n"),
    },
    "Notify ops",
  );
  single = createDb(world.database.url, { poolMax: 1 });
  ctx = { ...world.replica(), db: single };
});

afterAll(async () => {
  await loop?.stop();
  await receiver?.close();
  await single?.$disconnect();
  await world?.stop();
});

describe("notifications of real promotions", () => {
  it("a hanging receiver does not slow requestPromotion; refusals are notified; each event arrives once", async () => {
    await receiver.mode("hang");
    const workerCtx = world.replica();
    loop = startDeliveryLoop({
      db: single,
      repository: REPOSITORY,
      routing: routingFromRepository(workerCtx.repo),
      variable: variables({ LADDER_NOTIFY_OPS_URL: receiver.url, LADDER_NOTIFY_OPS_SECRET: SECRET }),
      // Long enough that a promotion waiting on a delivery would show; short retries once it answers.
      timeoutMs: 20_000,
      retry: { baseMs: 100, capMs: 400, horizonMs: 3_600_000, jitter: 0.5 },
      intervalMs: 50,
      log: () => undefined,
    });
    await until("the cursor", async () => (await single.notificationCursor.count()) === 1);

    // The worker is stuck on a delivery to the hanging receiver…
    await lockEnvironment(single, { repository: REPOSITORY, env: "dev", reason: "cleanup", actor: "carol" });
    await until("a hanging delivery", () => receiver.hanging() >= 1);

    // …and a promotion goes through at its usual pace, on the same single connection.
    const preview = await previewPromotion(ctx, { app: "api", toEnv: "staging" }, alice);
    expect(preview.allowed).toBe(true);
    const started = Date.now();
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    const took = Date.now() - started;
    expect(result).toMatchObject({ ok: true, status: "opened" });
    expect(took).toBeLessThan(10_000);
    expect(receiver.hanging()).toBeGreaterThanOrEqual(1);
    if (!result.ok) return;

    // A request refused at execution (prod was locked after the preview) is an event too.
    const prodPreview = await previewPromotion(ctx, { app: "web", toEnv: "prod" }, alice);
    expect(prodPreview.allowed).toBe(true);
    await lockEnvironment(single, { repository: REPOSITORY, env: "prod", reason: "incident 42", actor: "carol" });
    const refused = await requestPromotion(ctx, { token: prodPreview.token ?? "", actor: alice });
    expect(refused).toMatchObject({ ok: false, reason: "refused" });
    const refusal = await single.promotionEvent.findFirst({ where: { type: "promotion.refused" } });
    expect(refusal).toMatchObject({ promotionId: null, actor: "alice", repository: REPOSITORY });
    expect(refusal?.detail).toMatchObject({ app: "web", toEnv: "prod", fromEnv: "staging" });

    // GitHub merges the PR; the webhook records it.
    await world.server.control.mergePullRequest(result.promotion.prNumber ?? 0);
    await until("MERGED", async () => {
      await world.server.control.flushWebhooks();
      return (await single.promotion.findUniqueOrThrow({ where: { id: result.promotion.id } })).status === "MERGED";
    });

    await receiver.mode("ok");
    await until("every delivery", async () => (await loop?.worker.backlog()) === 0 && receiver.accepted.length >= 5);

    const got = receiver.accepted;
    expect(got.map((r) => r.event).sort()).toEqual(
      ["environment.locked", "environment.locked", "promotion.merged", "promotion.opened", "promotion.refused"].sort(),
    );
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(got.length);
    expect(got.every((r) => r.verified)).toBe(true);
    const apiEvents = got.filter((r) => (r.body.promotion as { id?: string } | null)?.id === result.promotion.id);
    expect(apiEvents.map((r) => r.event)).toEqual(["promotion.opened", "promotion.merged"]);
    const refusedBody = got.find((r) => r.event === "promotion.refused")?.body;
    expect(refusedBody).toMatchObject({
      event: "refused",
      actor: "alice",
      promotion: { id: null, app: "web", toEnv: "prod", status: null },
      reason: expect.stringContaining("incident 42"),
    });

    // The drawer's view of the promotion.
    const rows = await deliveriesOfPromotion(single, result.promotion.id);
    expect(rows.map((r) => [r.target, r.eventType, r.status])).toEqual([
      ["ops", "promotion.opened", "DELIVERED"],
      ["ops", "promotion.merged", "DELIVERED"],
    ]);

    // Nothing more goes out later.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.accepted).toHaveLength(got.length);
  });
});
