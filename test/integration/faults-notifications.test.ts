/**
 * Fault: the notification receiver is down for an hour — twenty minutes refusing connections,
 * twenty answering 500, twenty hanging past the timeout — while promotions and locks go on, and
 * the worker process restarts halfway. Once it is back: nothing lost (every event of the hour
 * arrives), nothing doubled (each delivery id once), each promotion's events in order, and all
 * within one backoff cap of the recovery. The worker runs on a clock the test moves 30 s a round.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { DEFAULT_RETRY_POLICY } from "../../lib/notify/retry-schedule";
import { lockEnvironment, releaseLock } from "../../lib/promotion/locks";
import { opsTarget, prState, requestedPromotion, SECRET, testClock, testWorker } from "../support/notification-fixtures";
import { type NotificationReceiver, startNotificationReceiver } from "../support/notification-receiver";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

const REPOSITORY = "acme/gitops";
const STEP_MS = 30_000;

let database: TestDatabase;
let db: Db;
let receiver: NotificationReceiver;

beforeAll(async () => {
  database = await createTestDatabase("ladder_notify_faults");
  await migrate(database.url);
  db = createDb(database.url);
  receiver = await startNotificationReceiver({ secret: SECRET });
});

afterAll(async () => {
  await receiver?.close();
  await db?.$disconnect();
  await database?.drop();
});

describe("the notification receiver down for an hour", () => {
  it("nothing lost, nothing doubled, in order per promotion, once it is back", async () => {
    const clock = testClock();
    const worker = () =>
      testWorker(db, REPOSITORY, [opsTarget()], { url: receiver.url, now: clock.now, timeoutMs: 200, random: Math.random });
    let current = worker();
    // The cursor starts before anything happens.
    await current.runOnce();

    const expected = new Map<string, string[]>();
    let pr = 1;
    /** Some activity: two promotions run through opened → merged/closed, a lock placed and released. */
    const activity = async (label: string) => {
      for (const [i, end] of (["merged", "closed"] as const).entries()) {
        const id = await requestedPromotion(db, REPOSITORY, `${label}-${i}`, "prod", clock.now());
        const number = pr++;
        await prState(db, id, number, "open", clock.now());
        await prState(db, id, number, end, clock.now());
        expected.set(`promotion:${id}`, ["promotion.opened", `promotion.${end}`]);
      }
      const lock = await lockEnvironment(
        db,
        { repository: REPOSITORY, env: "prod", reason: `during ${label}`, actor: "carol" },
        { now: clock.now() },
      );
      await releaseLock(db, { id: lock.id, actor: "carol", repository: REPOSITORY }, () => ({ now: clock.now() }));
      expected.set(`lock:${lock.id}`, ["environment.locked", "environment.unlocked"]);
    };

    const phases: { mode: "down" | "fail" | "hang"; minutes: number }[] = [
      { mode: "down", minutes: 20 },
      { mode: "fail", minutes: 20 },
      { mode: "hang", minutes: 20 },
    ];
    let round = 0;
    const seen = new Set<string>();
    for (const phase of phases) {
      await receiver.mode(phase.mode);
      await activity(phase.mode);
      if (phase.mode === "fail") current = worker(); // the process restarted: nothing lived in memory
      for (let t = 0; t < phase.minutes * 60_000; t += STEP_MS) {
        await current.runOnce();
        clock.advance(STEP_MS);
        round++;
      }
      for (const d of await db.notificationDelivery.findMany({ where: { repository: REPOSITORY } }))
        if (d.lastError) seen.add(d.lastError);
    }
    expect(round).toBe(120);
    expect(receiver.accepted).toEqual([]);
    const during = await db.notificationDelivery.findMany({ where: { repository: REPOSITORY } });
    expect(during).toHaveLength(18);
    expect(during.every((d) => d.status === "PENDING")).toBe(true);
    // The first events were tried again and again, backing off; none was given up.
    expect(Math.max(...during.map((d) => d.attempts))).toBeGreaterThanOrEqual(8);
    expect([...seen].sort()).toEqual([
      "HTTP 500 from the receiver",
      "connection refused (ECONNREFUSED)",
      "no answer within 0.2 s (timed out)",
    ]);

    await receiver.mode("ok");
    const back = clock.now().getTime();
    let rounds = 0;
    while ((await current.backlog()) > 0 && rounds++ < 200) {
      await current.runOnce();
      clock.advance(STEP_MS);
    }
    const recoveredIn = clock.now().getTime() - back;

    const got = receiver.accepted;
    expect(got).toHaveLength(18);
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(18);
    expect(got.every((r) => r.verified)).toBe(true);
    // Each promotion's (and each lock's) events arrived in the order they happened.
    const arrived = new Map<string, string[]>();
    for (const r of got) {
      const body = r.body as { promotion?: { id: string } | null; lock?: { id: string } | null };
      const key = body.promotion ? `promotion:${body.promotion.id}` : `lock:${body.lock?.id}`;
      arrived.set(key, [...(arrived.get(key) ?? []), r.event ?? ""]);
    }
    expect(Object.fromEntries(arrived)).toEqual(Object.fromEntries(expected));
    expect(await db.notificationDelivery.count({ where: { repository: REPOSITORY, status: "DELIVERED" } })).toBe(18);
    // Within one capped wait (plus a few rounds to walk each promotion's second event) of the recovery.
    expect(recoveredIn).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.capMs + 4 * STEP_MS);

    // And later rounds send nothing more.
    for (let i = 0; i < 10; i++) {
      await current.runOnce();
      clock.advance(3_600_000);
    }
    expect(receiver.accepted).toHaveLength(18);
  });
});
