/**
 * The audit chain against a real Postgres: appends from concurrent transactions never fork it,
 * the database refuses updates and deletes, `ladder audit verify` reports the chain ok — and tampering
 * through raw SQL (as a superuser bypassing the trigger) is named at the right event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cmd/cli/main";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { appendEvent, GENESIS_HASH, verifyChain } from "../../lib/promotion/audit-chain";
import { activeLocks, lockEnvironment, releaseLock } from "../../lib/promotion/locks";
import { createTestDatabase, query, type TestDatabase } from "../support/postgres";

let database: TestDatabase;
let db: Db;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

beforeAll(async () => {
  database = await createTestDatabase("ladder_audit");
  await migrate(database.url);
  db = createDb(database.url);
  // The CLI reads DATABASE_URL through lib/env; this file's module graph is its own.
  process.env.DATABASE_URL = database.url;
  // Whatever the shell has, these tests run without a GitHub repository to anchor against.
  delete process.env.LADDER_REPOSITORY;
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe("audit chain", () => {
  it("concurrent appends form one chain, not a fork", async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        lockEnvironment(db, {
          repository: "acme/gitops",
          env: i % 2 ? "prod" : "staging",
          app: `app-${i}`,
          reason: `maintenance ${i}`,
          actor: "carol",
          expiresAt: new Date(Date.now() + 3_600_000),
        }),
      ),
    );
    const locks = await activeLocks(db, { repository: "acme/gitops", env: "prod" });
    expect(locks).toHaveLength(6);
    await releaseLock(db, { id: locks[0]?.id ?? "", actor: "carol", repository: "acme/gitops" });
    await expect(releaseLock(db, { id: locks[0]?.id ?? "", actor: "carol", repository: "acme/gitops" })).rejects.toThrow(
      /already released/,
    );
    expect(await activeLocks(db, { repository: "acme/gitops", env: "prod" })).toHaveLength(5);

    await db.$transaction((tx) =>
      appendEvent(tx, {
        repository: "acme/gitops",
        type: "environment.locked",
        actor: "x",
        detail: { nested: { b: 1, a: [1, "two", null] }, text: 'naïve "quotes", commas\nnewlines' },
      }),
    );
    const events = await db.promotionEvent.findMany({ orderBy: { id: "asc" } });
    expect(events).toHaveLength(14);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(new Set(events.map((e) => e.prevHash)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 14 });
    // Small batches walk the same chain.
    expect(await verifyChain(db, { batchSize: 5 })).toMatchObject({ ok: true, checked: 14 });
  });

  it("the database refuses to update or delete an event", async () => {
    const first = await db.promotionEvent.findFirstOrThrow({ orderBy: { id: "asc" } });
    await expect(db.promotionEvent.update({ where: { id: first.id }, data: { actor: "mallory" } })).rejects.toThrow(
      /append-only/,
    );
    await expect(db.promotionEvent.delete({ where: { id: first.id } })).rejects.toThrow(/append-only/);
    await expect(query(database.url, "TRUNCATE promotion_event")).rejects.toThrow(/append-only/);
  });

  it("`ladder audit verify` says ok, then names the first tampered event", async () => {
    const ok = await cli("audit", "verify");
    // No GitHub here: the chain verifies, the PR anchors are reported unchecked (exit 3).
    expect(ok.code, ok.err).toBe(3);
    expect(ok.out).toMatch(/^ok: 14 events verified/);
    expect(ok.out).toContain("anchors: NOT CHECKED");

    const events = await db.promotionEvent.findMany({ orderBy: { id: "asc" } });
    const victim = events[5];
    const original = JSON.stringify(victim?.detail);
    // A superuser can bypass the trigger; the hash chain still tells.
    await query(
      database.url,
      `SET session_replication_role = replica; UPDATE promotion_event SET detail = jsonb_set(detail, '{reason}', '"nothing to see"') WHERE id = ${victim?.id}; SET session_replication_role = origin;`,
    );
    const broken = await verifyChain(db);
    expect(broken).toMatchObject({ ok: false, checked: 5, firstBroken: { id: String(victim?.id) } });
    expect(broken.firstBroken?.reason).toContain("content does not match");
    const report = await cli("audit", "verify");
    expect(report.code).toBe(1);
    expect(report.out).toContain(`BROKEN at event #${victim?.id}`);
    const json = await cli("audit", "verify", "--json");
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBroken: { id: String(victim?.id) } });

    // Put it back: the chain verifies again. Then remove an event: the next one is named.
    await query(
      database.url,
      `SET session_replication_role = replica; UPDATE promotion_event SET detail = '${original?.replaceAll("'", "''")}'::jsonb WHERE id = ${victim?.id}; SET session_replication_role = origin;`,
    );
    expect((await verifyChain(db)).ok).toBe(true);
    await query(
      database.url,
      `SET session_replication_role = replica; DELETE FROM promotion_event WHERE id = ${events[8]?.id}; SET session_replication_role = origin;`,
    );
    const gap = await verifyChain(db);
    expect(gap).toMatchObject({ ok: false, firstBroken: { id: String(events[9]?.id) } });
    expect(gap.firstBroken?.reason).toContain("an event was removed");
  });

  it("usage errors", async () => {
    expect((await cli("audit")).code).toBe(2);
    expect((await cli("audit", "frobnicate")).code).toBe(2);
  });
});
