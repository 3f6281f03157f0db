/**
 * Notifications from the Postgres outbox to a real HTTP receiver on localhost: audit events
 * routed to ladder.yaml targets, delivered once each, signed, in order per promotion, retried with
 * backoff past 500s, hangs and refused connections, never twice by two workers at once, and given
 * up (kept) after the horizon. The worker runs on a clock the test moves; HTTP is real.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { deliveriesOfPromotion } from "../../lib/notify/deliveries";
import { fanOut, type Routing } from "../../lib/notify/fan-out";
import type { NotificationPayload } from "../../lib/notify/notification-payload";
import { verifySignature } from "../../lib/notify/signature";
import { lockEnvironment, releaseLock } from "../../lib/promotion/locks";
import {
  drain,
  opsTarget,
  prState,
  requestedPromotion,
  SECRET,
  type TestClock,
  testClock,
  testWorker,
  variables,
} from "../support/notification-fixtures";
import { type NotificationReceiver, startNotificationReceiver } from "../support/notification-receiver";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

let database: TestDatabase;
let db: Db;
let receiver: NotificationReceiver;
let clock: TestClock;
let repoCount = 0;
/** Each test its own repository: its own cursor and rows in the one database. */
let repository: string;

beforeAll(async () => {
  database = await createTestDatabase("ladder_notify");
  await migrate(database.url);
  db = createDb(database.url);
  receiver = await startNotificationReceiver({ secret: SECRET });
});

afterAll(async () => {
  await receiver?.close();
  await db?.$disconnect();
  await database?.drop();
});

beforeEach(async () => {
  repository = `acme/gitops-${++repoCount}`;
  clock = testClock();
  await receiver.mode("ok", { okStatus: 204 });
  receiver.failNext(0);
  receiver.delay(0);
  receiver.accepted.length = 0;
});

/** Starts the repository's cursor (the first routing starts it at the newest event). */
async function startCursor(): Promise<void> {
  await fanOut(db, { repository, routing: async () => ({ ok: true, targets: [] }), now: clock.now() });
}

const mine = () => receiver.accepted.filter((r) => (r.body as { repository?: string }).repository === repository);

describe("delivery", () => {
  it("each event of a promotion and of a lock reaches the receiver once, signed, in order", async () => {
    await startCursor();
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 7, "open");
    await prState(db, id, 7, "merged");
    const lock = await lockEnvironment(db, { repository, env: "prod", reason: "incident", actor: "carol" });
    await releaseLock(db, { id: lock.id, actor: "dave", repository });
    await drain(worker, clock);

    const got = mine();
    // promotion.requested is not a notification event. The promotion's events in order, and the
    // lock's (the two sequences go out side by side).
    const order = (kind: string) => got.map((r) => r.event).filter((e) => e?.startsWith(kind));
    expect(order("promotion.")).toEqual(["promotion.opened", "promotion.merged"]);
    expect(order("environment.")).toEqual(["environment.locked", "environment.unlocked"]);
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(4);
    for (const r of got) {
      expect(r.verified).toBe(true);
      expect(verifySignature("not-the-secret", r.rawBody, r.signature)).toBe(false);
      expect(r.contentType).toBe("application/json");
      expect(r.body.id).toBe(r.deliveryId);
      expect(r.body.type).toBe(r.event);
    }
    const byEvent = (type: string) => got.find((r) => r.event === type)?.body;
    const merged = byEvent("promotion.merged") as unknown as NotificationPayload;
    expect(merged).toMatchObject({
      event: "merged",
      repository,
      actor: "github",
      promotion: { id, app: "api", toEnv: "prod", status: "MERGED", prNumber: 7 },
      lock: null,
    });
    expect(byEvent("environment.locked")).toMatchObject({
      event: "locked",
      lock: { id: lock.id, env: "prod", app: "*", reason: "incident" },
    });
    expect(byEvent("environment.unlocked")).toMatchObject({
      event: "unlocked",
      actor: "dave",
      lock: { id: lock.id, releasedBy: "dave" },
    });

    // What the drawer shows for the promotion: one row per event and target, delivered.
    const rows = await deliveriesOfPromotion(db, id);
    expect(rows.map((r) => [r.target, r.eventType, r.status, r.attempts, r.lastError])).toEqual([
      ["ops", "promotion.opened", "DELIVERED", 1, null],
      ["ops", "promotion.merged", "DELIVERED", 1, null],
    ]);
    expect(rows[0]?.lastStatus).toBe(204);

    // Another round finds nothing more to send: nothing doubled.
    await drain(worker, clock, { stepMs: 3_600_000 });
    expect(mine()).toHaveLength(4);
  });

  it("a Slack target gets the event's text at the URL from its variable, filtered by environment and event", async () => {
    await startCursor();
    const slack = {
      name: "team-slack",
      kind: "slack" as const,
      urlEnv: "LADDER_NOTIFY_SLACK_URL",
      environments: ["prod"],
      events: ["merged" as const, "closed" as const],
    };
    const worker = testWorker(db, repository, [slack], {
      url: receiver.url,
      now: clock.now,
      variable: variables({ LADDER_NOTIFY_SLACK_URL: `${receiver.url}/slack` }),
    });
    const staging = await requestedPromotion(db, repository, "api", "staging");
    await prState(db, staging, 3, "merged");
    const prod = await requestedPromotion(db, repository, "api", "prod");
    await prState(db, prod, 4, "open");
    await prState(db, prod, 4, "merged");
    await drain(worker, clock);
    const got = receiver.accepted.filter((r) => r.path.endsWith("/slack") && String(r.body.text).includes(repository));
    expect(got).toHaveLength(1);
    expect(Object.keys(got[0]?.body ?? {})).toEqual(["text"]);
    expect(got[0]?.body.text).toMatch(
      new RegExp(
        `^\\[${repository}\\] Promotion of \\*api\\* staging → prod \\(sha256:[0-9a-f]{12}\\) merged: <https://github\\.example/acme/gitops/pull/4\\|#4>$`,
      ),
    );
    // Slack deliveries are not signed and carry no Ladder headers.
    expect(got[0]?.signature).toBeUndefined();
    expect(got[0]?.deliveryId).toBeUndefined();
  });

  it("a 500 is retried with growing, jittered delays until the receiver answers", async () => {
    await startCursor();
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now });
    const id = await requestedPromotion(db, repository, "api");
    await receiver.mode("fail");
    await prState(db, id, 9, "open");
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await worker.runOnce();
      expect(r).toMatchObject({ attempted: 1, failed: 1 });
      const [row] = await deliveriesOfPromotion(db, id);
      expect(row).toMatchObject({ status: "PENDING", attempts: i + 1, lastStatus: 500, lastError: "HTTP 500 from the receiver" });
      const wait = new Date(row?.nextAttemptAt ?? 0).getTime() - clock.now().getTime();
      waits.push(wait);
      // Not due before its time: a round now sends nothing.
      expect((await worker.runOnce()).attempted).toBe(0);
      clock.advance(wait);
    }
    // random() = 0.5 takes a quarter off: 10 s, 20 s, 40 s, 80 s less a quarter.
    expect(waits).toEqual([7_500, 15_000, 30_000, 60_000]);
    await receiver.mode("ok");
    expect(await worker.runOnce()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(mine()).toHaveLength(1);
    const [row] = await deliveriesOfPromotion(db, id);
    expect(row).toMatchObject({ status: "DELIVERED", attempts: 5, lastError: null, lastStatus: 204 });
  });

  it("a receiver that hangs is cut off by the timeout and retried", async () => {
    await startCursor();
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, timeoutMs: 300 });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 5, "open");
    await receiver.mode("hang");
    const started = Date.now();
    expect(await worker.runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const [row] = await deliveriesOfPromotion(db, id);
    expect(row).toMatchObject({
      status: "PENDING",
      attempts: 1,
      lastStatus: null,
      lastError: "no answer within 0.3 s (timed out)",
    });
    await receiver.mode("ok");
    await drain(worker, clock, { stepMs: 60_000 });
    expect(mine().map((r) => r.event)).toEqual(["promotion.opened"]);
  });

  it("a refused connection is named, and retried", async () => {
    await startCursor();
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 6, "open");
    await receiver.mode("down");
    expect(await worker.runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    expect((await deliveriesOfPromotion(db, id))[0]?.lastError).toBe("connection refused (ECONNREFUSED)");
    await receiver.mode("ok");
    await drain(worker, clock, { stepMs: 60_000 });
    expect(mine()).toHaveLength(1);
  });
});

describe("order", () => {
  it("event n+1 of a promotion waits while event n is retried; other promotions are not held up", async () => {
    await startCursor();
    // One request at a time, so which one the receiver fails is the oldest event's.
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, concurrency: 1 });
    const first = await requestedPromotion(db, repository, "api");
    const second = await requestedPromotion(db, repository, "web");
    await prState(db, first, 1, "open");
    await prState(db, first, 1, "merged");
    await prState(db, second, 2, "open");
    // The first request (api's opened) fails; web's opened goes through in the same round.
    receiver.failNext(1);
    const round = await worker.runOnce();
    expect(round).toMatchObject({ attempted: 2, failed: 1, delivered: 1 });
    expect(mine().map((r) => `${(r.body.promotion as { app: string }).app} ${r.event}`)).toEqual(["web promotion.opened"]);
    // api's merged is not sent while its opened waits for its retry.
    expect((await worker.runOnce()).attempted).toBe(0);
    const rows = await deliveriesOfPromotion(db, first);
    expect(rows.map((r) => [r.eventType, r.status, r.attempts])).toEqual([
      ["promotion.opened", "PENDING", 1],
      ["promotion.merged", "PENDING", 0],
    ]);
    await drain(worker, clock, { stepMs: 60_000 });
    expect(mine().map((r) => `${(r.body.promotion as { app: string }).app} ${r.event}`)).toEqual([
      "web promotion.opened",
      "api promotion.opened",
      "api promotion.merged",
    ]);
  });
});

describe("concurrency", () => {
  it("two workers at once (two replicas, two pools) never deliver a row twice and keep each promotion's order", async () => {
    await startCursor();
    const other = createDb(database.url);
    try {
      const a = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, batchSize: 5 });
      const b = testWorker(other, repository, [opsTarget()], { url: receiver.url, now: clock.now, batchSize: 5 });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const id = await requestedPromotion(db, repository, `app-${i}`);
        ids.push(id);
        await prState(db, id, 100 + i, "open");
        await prState(db, id, 100 + i, i % 3 === 0 ? "closed" : "merged");
      }
      // Slow answers, so both workers' requests overlap.
      receiver.delay(40);
      for (let round = 0; round < 30; round++) {
        const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
        if (ra.attempted + rb.attempted === 0 && ra.fanOut.state === "idle" && rb.fanOut.state === "idle") break;
      }
      const got = mine();
      expect(got).toHaveLength(24);
      expect(new Set(got.map((r) => r.deliveryId)).size).toBe(24);
      for (const id of ids) {
        const events = got.filter((r) => (r.body.promotion as { id: string }).id === id).map((r) => r.event);
        expect(events[0]).toBe("promotion.opened");
        expect(events).toHaveLength(2);
      }
      expect(await db.notificationDelivery.count({ where: { repository } })).toBe(24);
      expect(await db.notificationDelivery.count({ where: { repository, status: "DELIVERED", attempts: 1 } })).toBe(24);
    } finally {
      await other.$disconnect();
    }
  });

  it("a worker that lost its lease (it stalled past it) cannot overwrite what the next one recorded", async () => {
    await startCursor();
    let release: (() => void) | undefined;
    const stalled: typeof fetch = (input, init) =>
      new Promise((resolve, reject) => {
        release = () => fetch(input, init).then(resolve, reject);
      });
    const a = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, fetch: stalled, timeoutMs: 30_000 });
    const b = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 11, "open");
    const roundA = a.runOnce();
    for (let i = 0; i < 100 && !release; i++) await new Promise((r) => setTimeout(r, 20));
    expect(release).toBeDefined();
    // Within the lease nobody else takes the row.
    expect((await b.runOnce()).attempted).toBe(0);
    clock.advance(a.leaseMs + 1);
    expect(await b.runOnce()).toMatchObject({ attempted: 1, delivered: 1 });
    release?.();
    expect(await roundA).toMatchObject({ attempted: 1, lost: 1 });
    // Delivered twice (at least once: the receiver can drop the repeat by its id), recorded once.
    expect(mine().map((r) => r.deliveryId)).toEqual([mine()[0]?.deliveryId, mine()[0]?.deliveryId]);
    const [row] = await deliveriesOfPromotion(db, id);
    expect(row).toMatchObject({ status: "DELIVERED", attempts: 2 });
  });
});

describe("configuration and failure", () => {
  it("a missing variable is the delivery's error, naming it; once set, the retry goes through", async () => {
    await startCursor();
    const values: Record<string, string | undefined> = { LADDER_NOTIFY_OPS_URL: receiver.url };
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, variable: (n) => values[n] });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 12, "open");
    expect(await worker.runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    expect((await deliveriesOfPromotion(db, id))[0]).toMatchObject({
      status: "PENDING",
      lastError: "LADDER_NOTIFY_OPS_SECRET is not set",
    });
    values.LADDER_NOTIFY_OPS_SECRET = SECRET;
    values.LADDER_NOTIFY_OPS_URL = "not a url";
    clock.advance(60_000);
    await worker.runOnce();
    // The value may be a secret: the error names the variable, never what it holds.
    expect((await deliveriesOfPromotion(db, id))[0]?.lastError).toBe("LADDER_NOTIFY_OPS_URL is not an http(s) URL");
    values.LADDER_NOTIFY_OPS_URL = receiver.url;
    await drain(worker, clock, { stepMs: 60_000 });
    expect(mine()).toHaveLength(1);
    expect(mine()[0]?.verified).toBe(true);
  });

  it("while ladder.yaml is invalid routing waits, saying why; once fixed every event goes out", async () => {
    await startCursor();
    let routing: Routing = {
      ok: false,
      reason: "ladder.yaml at abc1234 is invalid (ladder.yaml:9: notify.0.secretEnv: …); notifications wait until it is fixed",
    };
    const worker = testWorker(db, repository, [], { url: receiver.url, now: clock.now, routing: async () => routing });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 13, "open");
    expect((await worker.runOnce()).fanOut).toEqual({ state: "waiting", reason: expect.stringContaining("is invalid") });
    expect(await db.notificationCursor.findUnique({ where: { repository } })).toMatchObject({
      lastError: expect.stringContaining("notifications wait until it is fixed"),
    });
    expect(await db.notificationDelivery.count({ where: { repository } })).toBe(0);
    routing = { ok: true, targets: [opsTarget()] };
    await drain(worker, clock);
    expect(mine().map((r) => r.event)).toEqual(["promotion.opened"]);
    expect((await db.notificationCursor.findUnique({ where: { repository } }))?.lastError).toBeNull();
  });

  it("past the horizon a delivery is DEAD and kept; the next event of its promotion then goes out", async () => {
    await startCursor();
    const retry = { baseMs: 60_000, capMs: 600_000, horizonMs: 3_600_000, jitter: 0 };
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now, retry });
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 14, "open");
    await receiver.mode("fail");
    for (let i = 0; i < 70; i++) {
      await worker.runOnce();
      clock.advance(60_000);
    }
    const [opened] = await deliveriesOfPromotion(db, id);
    expect(opened).toMatchObject({ status: "DEAD", lastError: "HTTP 500 from the receiver" });
    // Tried at 0, 1, 3, 7, 15, 25, 35, 45 and 55 minutes, and a last time at the hour.
    expect(opened?.attempts).toBe(10);
    await receiver.mode("ok");
    await prState(db, id, 14, "merged");
    await drain(worker, clock);
    expect(mine().map((r) => r.event)).toEqual(["promotion.merged"]);
    expect((await deliveriesOfPromotion(db, id)).map((r) => r.status)).toEqual(["DEAD", "DELIVERED"]);
  });

  it("the first routing of a repository starts at its newest event: history from before is not sent", async () => {
    const id = await requestedPromotion(db, repository, "api");
    await prState(db, id, 15, "open");
    const worker = testWorker(db, repository, [opsTarget()], { url: receiver.url, now: clock.now });
    await drain(worker, clock);
    expect(mine()).toHaveLength(0);
    await prState(db, id, 15, "merged");
    await drain(worker, clock);
    expect(mine().map((r) => r.event)).toEqual(["promotion.merged"]);
  });
});
