/**
 * Concurrency across replicas. The replicas are two Node processes, each running the promotion
 * core (test/support/promotion-child.ts) with its own GitHub client, write queue and pool,
 * against one Postgres and one GitHub server — not two Next servers: promoting is a server
 * action whose id and origin checks are build artefacts with no stable HTTP contract, and what
 * coordinates replicas (the Postgres row and unique slot, the GitHub branch name) is the same
 * either way, at a fraction of the CI time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../lib/promotion/audit-chain";
import type { Actor } from "../../lib/promotion/context";
import { getPromotionWithEvents } from "../../lib/promotion/history";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { expectConsistent, pullsOf, rowsOf, spawnReplica, until } from "../support/fault-kit";
import { commit, fakeDigest, overlay, overlayPath, REPOSITORY, SECRET, startWorld, type World } from "../support/promotion-world";
import { type Delivery, pool, postDelivery, pullRequestDelivery, pushDelivery, shuffle } from "../support/webhook-deliveries";

const alice: Actor = { login: "alice" };
let world: World;

beforeAll(async () => {
  world = await startWorld({ apps: ["same", "rival1", "rival2", "held"] });
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
});

afterAll(async () => {
  await world?.stop();
});

async function eventTypes(id: string): Promise<string[]> {
  return (await getPromotionWithEvents(world.db, id))?.events.map((e) => e.type) ?? [];
}

/** Starts one replica per entry (token × n requests), releases them together, returns every result. */
async function race(entries: Array<{ token: string; n: number }>): Promise<Record<string, unknown>[]> {
  const replicas = entries.map((e) => spawnReplica(world, ["request", e.token, String(e.n)]));
  await Promise.all(replicas.map((r) => r.waitFor((l) => l.ready === true)));
  for (const r of replicas) r.go();
  const codes = await Promise.all(replicas.map((r) => r.exited));
  expect(codes, replicas.map((r) => r.stderr()).join("\n")).toEqual(replicas.map(() => 0));
  return replicas.flatMap((r) => r.lines.filter((l) => "ok" in l));
}

describe("two replicas, one Postgres", () => {
  it("20 simultaneous requests for the same app, environment and digest: one PR, one OPEN row", async () => {
    const preview = await previewPromotion(world.ctx, { app: "same", toEnv: "prod" }, alice);
    const token = preview.token ?? "";
    const results = await race([
      { token, n: 10 },
      { token, n: 10 },
    ]);
    expect(results).toHaveLength(20);
    const tally: Record<string, number> = {};
    for (const r of results) {
      const key = String(r.ok ? r.status : r.reason);
      tally[key] = (tally[key] ?? 0) + 1;
    }
    console.log(`20 requests from 2 replicas: ${JSON.stringify(tally)}`);
    // Every request either got the one promotion back or was told it is being opened right now.
    for (const r of results) expect(r.ok === true || r.reason === "busy", JSON.stringify(r)).toBe(true);
    const ok = results.filter((r) => r.ok === true);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => r.id)).size).toBe(1);
    expect(ok.filter((r) => r.status === "opened").length).toBeLessThanOrEqual(1);

    await world.server.control.flushWebhooks();
    expect(pullsOf(world, "same")).toHaveLength(1);
    const rows = await rowsOf(world, "same");
    expect(rows.map((r) => r.status)).toEqual(["OPEN"]);
    expect(rows[0]?.prNumber).toBe(pullsOf(world, "same")[0]?.number);
    expect(await eventTypes(rows[0]?.id ?? "")).toEqual(["promotion.requested", "promotion.opened"]);
    await expectConsistent(world, "same");
  });

  for (const app of ["rival1", "rival2"]) {
    it(`two different digests at once (${app}): one wins, the other is refused as busy or supersedes it; history says which`, async () => {
      const older = await previewPromotion(world.ctx, { app, toEnv: "prod" }, alice);
      await commit(world, { [overlayPath(app, "staging")]: overlay(app, "staging", { digest: fakeDigest(app, 7), tag: "1.0" }) });
      const newer = await previewPromotion(world.ctx, { app, toEnv: "prod" }, alice);
      expect(older.allowed && newer.allowed).toBe(true);
      expect(newer.request.digest).not.toBe(older.request.digest);
      const results = await race([
        { token: older.token ?? "", n: 1 },
        { token: newer.token ?? "", n: 1 },
      ]);
      expect(results).toHaveLength(2);
      for (const r of results) expect(r.ok === true || r.reason === "busy", JSON.stringify(r)).toBe(true);
      await world.server.control.flushWebhooks();

      const rows = await rowsOf(world, app);
      const pulls = pullsOf(world, app);
      expect(rows.filter((r) => r.status === "OPEN")).toHaveLength(1);
      expect(pulls.filter((p) => p.state === "open")).toHaveLength(1);
      const busy = results.filter((r) => r.reason === "busy");
      console.log(`two digests: ${busy.length === 1 ? "one refused as busy" : "the later superseded the earlier"}`);
      if (busy.length === 1) {
        // Refused while the winner was being opened: no row, no PR for the loser.
        expect(rows).toHaveLength(1);
        expect(pulls).toHaveLength(1);
        expect(await eventTypes(rows[0]?.id ?? "")).toEqual(["promotion.requested", "promotion.opened"]);
      } else {
        // Both went through: the later claim superseded the earlier, whose PR is closed.
        expect(busy).toHaveLength(0);
        expect(rows.map((r) => r.status)).toEqual(["CLOSED", "OPEN"]);
        expect(await eventTypes(rows[0]?.id ?? "")).toEqual([
          "promotion.requested",
          "promotion.opened",
          "promotion.superseded",
          "promotion.closed",
        ]);
        expect(await eventTypes(rows[1]?.id ?? "")).toEqual(["promotion.requested", "promotion.opened"]);
      }
      await expectConsistent(world, app);
    });
  }
});

describe("one replica opening, another confirming a different digest", () => {
  it("the second is told busy (transient), not refused: no row, no PR and no refusal in history for it", async () => {
    const older = await previewPromotion(world.ctx, { app: "held", toEnv: "prod" }, alice);
    await commit(world, {
      [overlayPath("held", "staging")]: overlay("held", "staging", { digest: fakeDigest("held", 7), tag: "1.0" }),
    });
    const newer = await previewPromotion(world.ctx, { app: "held", toEnv: "prod" }, alice);
    expect(older.allowed && newer.allowed).toBe(true);
    // Hold the first request between its PENDING row and its pull request.
    world.server.control.injectFault({ kind: "latency", ms: 1500, match: { operationId: "git/create-tree" }, times: 1 });
    const first = requestPromotion(world.ctx, { token: older.token ?? "", actor: alice });
    await until(async () => (await rowsOf(world, "held")).some((r) => r.status === "PENDING"), 10_000, "the PENDING row");
    const second = await requestPromotion(world.ctx, { token: newer.token ?? "", actor: alice });
    expect(second).toMatchObject({ ok: false, reason: "busy" });
    expect(second.ok ? "" : second.message).toMatch(
      /^Another promotion of held to prod \(.+\) is being opened; try again shortly\.$/,
    );
    expect(await first).toMatchObject({ ok: true, status: "opened" });
    await world.server.control.flushWebhooks();

    const rows = await rowsOf(world, "held");
    expect(rows.map((r) => r.status)).toEqual(["OPEN"]);
    expect(pullsOf(world, "held")).toHaveLength(1);
    expect(await eventTypes(rows[0]?.id ?? "")).toEqual(["promotion.requested", "promotion.opened"]);
    const refusals = await world.db.promotionEvent.findMany({ where: { type: "promotion.refused" } });
    expect(refusals.filter((e) => (e.detail as { app?: string } | null)?.app === "held")).toEqual([]);
    await expectConsistent(world, "held");
  });
});

describe("a webhook burst", () => {
  it("1,000 deliveries, 10% duplicated, out of order, 50 at a time: each applied once, final states right", async () => {
    const ROWS = 400;
    const base = 10_000;
    const pendingCount = ROWS / 2;
    const expected = new Map<string, "MERGED" | "CLOSED">();
    const data = Array.from({ length: ROWS }, (_, i) => {
      const app = `burst-${i}`;
      const digest = fakeDigest(app, 2);
      const pending = i < pendingCount;
      return {
        repository: REPOSITORY,
        app,
        image: `ghcr.io/acme/${app}`,
        fromEnv: "staging",
        toEnv: "prod",
        digest,
        idempotencyKey: `${REPOSITORY}|${app}|prod|${digest}#1`,
        openSlot: `${REPOSITORY}|${app}|prod`,
        branch: `ladder/${app}/prod/${digest.slice(7, 19)}`,
        baseCommit: "0".repeat(40),
        requestedBy: "alice",
        status: pending ? ("PENDING" as const) : ("OPEN" as const),
        prNumber: pending ? null : base + i,
        prUrl: pending ? null : `https://github.example/${REPOSITORY}/pull/${base + i}`,
        openedAt: pending ? null : new Date(),
      };
    });
    await world.db.promotion.createMany({ data });
    const rows = await world.db.promotion.findMany({ where: { app: { startsWith: "burst-" } } });
    const byApp = new Map(rows.map((r) => [r.app, r]));

    const unique: Delivery[] = [];
    data.forEach((row, i) => {
      const number = base + i;
      const facts = { repository: REPOSITORY, number, branch: row.branch, headSha: "a".repeat(40) };
      const merged = i % 3 !== 0;
      expected.set(row.app, merged ? "MERGED" : "CLOSED");
      unique.push(
        pullRequestDelivery({ ...facts, action: row.status === "PENDING" ? "opened" : "synchronize", state: "open" }),
        pullRequestDelivery({ ...facts, action: "closed", state: "closed", merged }),
      );
    });
    for (let i = 0; i < 100; i++) unique.push(pushDelivery(REPOSITORY, [`apps/burst-${i}/overlays/dev/kustomization.yaml`]));
    expect(unique).toHaveLength(900);
    const duplicates = shuffle(unique, 7).slice(0, 100);
    const burst = shuffle([...unique, ...duplicates], 42);
    expect(burst).toHaveLength(1000);

    const before = world.webhookResults.length;
    const started = Date.now();
    const statuses = await pool(
      50,
      burst.map((d) => () => postDelivery(world.webhookUrl, SECRET, d)),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`webhook burst: 1000 deliveries in ${seconds.toFixed(1)} s (${(1000 / seconds).toFixed(0)}/s)`);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const results = world.webhookResults.slice(before);
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    const outcomes = results.map((r) => (r instanceof Error ? "error" : r.outcome));
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(100);
    expect(outcomes.filter((o) => o === "invalidate")).toHaveLength(100);
    const ids = new Set(unique.map((d) => d.id));
    expect(await world.db.webhookDelivery.count({ where: { deliveryId: { in: [...ids] } } })).toBe(900);
    expect(await world.db.webhookDelivery.count({ where: { deliveryId: { in: [...ids] }, processedAt: null } })).toBe(0);

    const after = await world.db.promotion.findMany({ where: { app: { startsWith: "burst-" } } });
    const events = await world.db.promotionEvent.findMany({
      where: { promotionId: { in: after.map((r) => r.id) } },
      select: { promotionId: true, type: true },
      orderBy: { id: "asc" },
    });
    for (const row of after) {
      const i = Number(row.app.slice("burst-".length));
      expect(row.status, row.app).toBe(expected.get(row.app));
      expect(row.prNumber, row.app).toBe(base + i);
      expect(row.openSlot).toBeNull();
      const types = events.filter((e) => e.promotionId === row.id).map((e) => e.type);
      const wasPending = byApp.get(row.app)?.status === "PENDING";
      const end = row.status === "MERGED" ? "promotion.merged" : "promotion.closed";
      expect(types, row.app).toEqual(wasPending ? ["promotion.opened", end] : [end]);
    }
    expect((await verifyChain(world.db)).ok).toBe(true);
  });
});
