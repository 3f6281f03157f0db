/**
 * History queries against a real Postgres: filters, stable cursor pagination (ties on
 * createdAt broken by id), one promotion with its event trail, CSV/JSON exports, and the four
 * delivery figures (frequency, lead time, change failure rate, time to restore).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import type { PromotionStatus } from "../../lib/generated/prisma/client";
import { appendEvent } from "../../lib/promotion/audit-chain";
import { exportPromotions, getPromotionWithEvents, listPromotions } from "../../lib/promotion/history";
import { promotionStats } from "../../lib/promotion/promotion-stats";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

let database: TestDatabase;
let db: Db;
const DAY = 86_400_000;
// Monday 2026-03-02 12:00 UTC (ISO week 2026-W10).
const T0 = Date.UTC(2026, 2, 2, 12);
let seq = 0;

async function row(fields: {
  app: string;
  toEnv: string;
  fromEnv?: string;
  status: PromotionStatus;
  by?: string;
  at: number;
  digest?: string;
  closedAt?: number;
  sourceSince?: number;
  error?: string;
  rollback?: boolean;
  repository?: string;
  /** A tag-only promotion: no digest. */
  tag?: string;
}) {
  seq++;
  const digest = fields.tag ? null : (fields.digest ?? `sha256:${String(seq).padStart(64, "0")}`);
  const repository = fields.repository ?? "acme/gitops";
  return await db.promotion.create({
    data: {
      repository,
      app: fields.app,
      image: `ghcr.io/acme/${fields.app}`,
      fromEnv: fields.fromEnv ?? "staging",
      toEnv: fields.toEnv,
      digest,
      tag: fields.tag ?? null,
      status: fields.status,
      idempotencyKey: `${repository}|${fields.app}|${fields.toEnv}|${digest ?? `tag:${fields.tag}`}#${seq}`,
      baseCommit: "a".repeat(40),
      requestedBy: fields.by ?? "alice",
      createdAt: new Date(fields.at),
      closedAt: fields.closedAt ? new Date(fields.closedAt) : null,
      sourceSince: fields.sourceSince ? new Date(fields.sourceSince) : null,
      error: fields.error ?? null,
      rollback: fields.rollback ?? false,
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase("ladder_history");
  await migrate(database.url);
  db = createDb(database.url);
  // Digest D: dev since T0-1d → staging (merged T0) → prod (merged T0+3d). Lead time 4 days by evidence.
  const D = `sha256:${"d".repeat(64)}`;
  await row({
    app: "api",
    toEnv: "staging",
    fromEnv: "dev",
    status: "MERGED",
    at: T0,
    closedAt: T0 + 3_600_000,
    digest: D,
    sourceSince: T0 - DAY,
  });
  await row({
    app: "api",
    toEnv: "prod",
    status: "MERGED",
    at: T0 + 2 * DAY,
    closedAt: T0 + 3 * DAY,
    digest: D,
    sourceSince: T0 + 3_600_000,
  });
  // Digest E: only a prod row (no evidence from dev): earliest row stands in, 2 days.
  const E = `sha256:${"e".repeat(64)}`;
  await row({ app: "web", toEnv: "prod", status: "MERGED", at: T0 + 8 * DAY, closedAt: T0 + 10 * DAY, digest: E, by: "Bob" });
  // Ties on createdAt, other statuses and people, a tricky error for CSV.
  for (let i = 0; i < 5; i++) await row({ app: "worker", toEnv: "staging", status: "OPEN", at: T0 + 9 * DAY, by: "carol" });
  await row({
    app: "worker",
    toEnv: "prod",
    status: "FAILED",
    at: T0 + 15 * DAY,
    error: 'GitHub said "no", twice\nthen =cmd|calc',
    by: "carol",
  });
  await row({ app: "api", toEnv: "prod", status: "CLOSED", at: T0 + 16 * DAY, rollback: true, by: "alice" });
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe("listPromotions", () => {
  it("filters by app, environment, status, person and date range", async () => {
    expect((await listPromotions(db, { app: "api" })).items.map((p) => p.toEnv)).toEqual(["prod", "prod", "staging"]);
    expect((await listPromotions(db, { env: "prod", status: "MERGED" })).items.map((p) => p.app)).toEqual(["web", "api"]);
    expect((await listPromotions(db, { status: ["FAILED", "CLOSED"] })).items).toHaveLength(2);
    expect((await listPromotions(db, { person: "bob" })).items.map((p) => p.requestedBy)).toEqual(["Bob"]);
    const inRange = await listPromotions(db, { from: new Date(T0 + DAY), to: new Date(T0 + 9 * DAY) });
    expect(inRange.items.map((p) => p.app)).toEqual(["web", "api"]);
    expect((await listPromotions(db, { rollback: true })).items).toHaveLength(1);
  });

  it("pages with a cursor in a stable order, ties broken by id, without repeats or gaps", async () => {
    const all = (await listPromotions(db, {}, null, 200)).items;
    expect(all).toHaveLength(10);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listPromotions>> = await listPromotions(db, {}, cursor, 3);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((p) => p.id));
    const ties = all.filter((p) => p.app === "worker" && p.status === "OPEN").map((p) => p.id);
    expect(ties).toEqual([...ties].sort().reverse());
    // A garbled cursor starts over rather than failing.
    expect((await listPromotions(db, {}, "not-a-cursor", 2)).items.map((p) => p.id)).toEqual(seen.slice(0, 2));
  });
});

describe("getPromotionWithEvents", () => {
  it("returns the row with its events oldest first, null for unknown ids", async () => {
    const [p] = (await listPromotions(db, { status: "FAILED" })).items;
    await db.$transaction(async (tx) => {
      await appendEvent(tx, { promotionId: p?.id, repository: "acme/gitops", type: "promotion.requested", actor: "carol" });
      await appendEvent(tx, {
        promotionId: p?.id,
        repository: "acme/gitops",
        type: "promotion.failed",
        actor: "carol",
        detail: { error: "x" },
      });
    });
    const found = await getPromotionWithEvents(db, p?.id ?? "");
    expect(found?.promotion.id).toBe(p?.id);
    expect(found?.events.map((e) => e.type)).toEqual(["promotion.requested", "promotion.failed"]);
    expect(found?.events[1]?.detail).toEqual({ error: "x" });
    expect(typeof found?.events[0]?.id).toBe("string");
    expect(await getPromotionWithEvents(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await getPromotionWithEvents(db, "'; drop table promotion; --")).toBeNull();
  });
});

describe("exportPromotions", () => {
  it("CSV quotes and neutralises what needs it, one record per row", async () => {
    const out = await exportPromotions(db, { app: "worker", env: "prod" }, "csv", { now: new Date(T0) });
    expect(out).toMatchObject({ filename: "ladder-promotions-20260302.csv", contentType: "text/csv; charset=utf-8", rows: 1 });
    const [header, record, end] = out.body.split("\r\n");
    expect(header?.split(",")).toContain("requested_by");
    expect(end).toBe("");
    expect(record).toContain('"GitHub said ""no"", twice\nthen =cmd|calc"');
    const all = await exportPromotions(db, {}, "csv");
    expect(all.rows).toBe(10);
    expect(all.body.split("\r\n").length).toBe(12);
  });

  it("JSON holds the same filtered records", async () => {
    const out = await exportPromotions(db, { person: "carol" }, "json");
    const parsed = JSON.parse(out.body) as { requestedBy: string }[];
    expect(parsed).toHaveLength(6);
    expect(new Set(parsed.map((p) => p.requestedBy))).toEqual(new Set(["carol"]));
    const capped = await exportPromotions(db, {}, "json", { maxRows: 4 });
    expect(capped).toMatchObject({ rows: 4, truncated: true });
  });
});

describe("promotionStats", () => {
  it("counts promotions per ISO week by environment and the median lead time", async () => {
    const stats = await promotionStats(db, {}, { environments: ["dev", "staging", "prod"] });
    expect(stats.weeks.map((w) => w.week)).toEqual(["2026-W10", "2026-W11", "2026-W12"]);
    expect(stats.weeks[0]?.start).toBe("2026-03-02T00:00:00.000Z");
    expect(stats.weeks[0]).toMatchObject({ requested: { dev: 0, staging: 1, prod: 1 }, merged: { staging: 1, prod: 1 } });
    expect(stats.weeks[1]).toMatchObject({ requested: { staging: 5, prod: 1 }, merged: { prod: 1 } });
    expect(stats.weeks[2]).toMatchObject({ requested: { staging: 0, prod: 2 }, merged: { prod: 0 } });
    expect(stats.leadTime).toMatchObject({ firstEnv: "dev", lastEnv: "prod" });
    const samples = stats.leadTime.samples.map((s) => [s.app, s.ms / DAY, s.basis]);
    expect(samples).toEqual([
      ["api", 4, "evidence"],
      ["web", 2, "earliest-row"],
    ]);
    expect(stats.leadTime.medianMs).toBe(3 * DAY);

    const prodOnly = await promotionStats(db, { env: "prod", app: "api" }, { environments: ["dev", "staging", "prod"] });
    expect(prodOnly.leadTime.samples.map((s) => s.ms / DAY)).toEqual([4]);
    expect(prodOnly.weeks.reduce((n, w) => n + (w.requested.staging ?? 0), 0)).toBe(0);
  });
});

describe("lead time without a promotion out of the first environment", () => {
  it("starts from the earliest evidence Ladder has: since when the digest ran in the source environment", async () => {
    const digest = `sha256:${"f".repeat(64)}`;
    await db.promotion.create({
      data: {
        repository: "acme/other",
        app: "jobs",
        image: "ghcr.io/acme/jobs",
        fromEnv: "staging",
        toEnv: "prod",
        digest,
        status: "MERGED",
        idempotencyKey: `acme/other|jobs|prod|${digest}#1`,
        baseCommit: "a".repeat(40),
        requestedBy: "alice",
        createdAt: new Date(T0 + 8 * DAY),
        closedAt: new Date(T0 + 9 * DAY),
        // It had run in staging for three days when it was promoted: it was in dev before that.
        sourceSince: new Date(T0 + 5 * DAY),
      },
    });
    const stats = await promotionStats(db, { repository: "acme/other" }, { environments: ["dev", "staging", "prod"] });
    expect(stats.leadTime.samples).toEqual([expect.objectContaining({ app: "jobs", basis: "earliest-row", ms: 4 * DAY })]);
  });
});

describe("change failure rate and time to restore", () => {
  const H = 3_600_000;
  const repository = "acme/failures";
  beforeAll(async () => {
    const at = (h: number) => T0 + h * H;
    // prod: B (merged h1) rolled back h4; C (h10) and D (h20) then one rollback h23 — only D failed;
    // a rollback that was closed, not merged, at h12 fails nothing.
    await row({ repository, app: "api", toEnv: "prod", status: "MERGED", at: at(0), closedAt: at(1) });
    await row({
      repository,
      app: "api",
      toEnv: "prod",
      status: "MERGED",
      at: at(3),
      closedAt: at(4),
      rollback: true,
      fromEnv: "prod",
    });
    await row({ repository, app: "api", toEnv: "prod", status: "MERGED", at: at(9), closedAt: at(10) });
    await row({ repository, app: "api", toEnv: "prod", status: "CLOSED", at: at(11), closedAt: at(12), rollback: true });
    await row({ repository, app: "api", toEnv: "prod", status: "MERGED", at: at(19), closedAt: at(20), by: "bob" });
    await row({ repository, app: "api", toEnv: "prod", status: "MERGED", at: at(22), closedAt: at(23), rollback: true });
    // staging: a tag-only promotion rolled back after 2 h; one more promotion that stays.
    await row({ repository, app: "web", toEnv: "staging", status: "MERGED", at: at(0), closedAt: at(2), tag: "2.0" });
    await row({
      repository,
      app: "web",
      toEnv: "staging",
      status: "MERGED",
      at: at(3),
      closedAt: at(4),
      tag: "1.9",
      rollback: true,
    });
    await row({ repository, app: "web", toEnv: "staging", status: "MERGED", at: at(30), closedAt: at(31), tag: "2.1" });
    // Requested days later, rolled back two weeks after that: outside a short range, still counted inside a long one.
    await row({ repository, app: "api", toEnv: "staging", status: "MERGED", at: at(72), closedAt: at(73) });
    await row({ repository, app: "api", toEnv: "staging", status: "MERGED", at: at(400), closedAt: at(401), rollback: true });
  });

  it("computes both per environment from the rows in Postgres", async () => {
    const stats = await promotionStats(db, { repository }, { environments: ["dev", "staging", "prod"] });
    expect(stats.changeFailureRate.byEnv).toEqual([
      { env: "dev", promotions: 0, failed: 0, rate: null },
      { env: "staging", promotions: 3, failed: 2, rate: 2 / 3 },
      { env: "prod", promotions: 3, failed: 2, rate: 2 / 3 },
    ]);
    expect(stats.changeFailureRate.overall).toEqual({ promotions: 6, failed: 4, rate: 4 / 6 });
    const restores = stats.timeToRestore.byEnv.map((e) => [e.env, e.samples.map((s) => s.restoreMs / H), e.medianMs]);
    expect(restores).toEqual([
      ["dev", [], null],
      ["staging", [2, 328], 165 * H],
      ["prod", [3, 3], 3 * H],
    ]);
    expect(stats.timeToRestore.byEnv[1]?.samples[0]?.promotion.reference).toBe("tag:2.0");
  });

  it("the filters choose the promotions; a rollback after the range still fails one inside it", async () => {
    const firstDay = await promotionStats(
      db,
      { repository, from: new Date(T0), to: new Date(T0 + 86_400_000) },
      { environments: ["dev", "staging", "prod"] },
    );
    expect(firstDay.changeFailureRate.overall).toEqual({ promotions: 4, failed: 3, rate: 0.75 });
    const later = await promotionStats(
      db,
      { repository, from: new Date(T0 + 2 * 86_400_000) },
      { environments: ["dev", "staging", "prod"] },
    );
    expect(later.changeFailureRate.overall).toEqual({ promotions: 1, failed: 1, rate: 1 });
    expect(later.timeToRestore.overall.medianMs).toBe(328 * H);
    const prodBob = await promotionStats(
      db,
      { repository, env: "prod", person: "BOB" },
      { environments: ["dev", "staging", "prod"] },
    );
    expect(prodBob.changeFailureRate.byEnv.find((e) => e.env === "prod")).toEqual({
      env: "prod",
      promotions: 1,
      failed: 1,
      rate: 1,
    });
    expect(prodBob.changeFailureRate.overall.promotions).toBe(1);
    // The status filter narrows the table, not what failed: the figures are about merged promotions.
    const closedOnly = await promotionStats(db, { repository, status: "CLOSED" }, { environments: ["dev", "staging", "prod"] });
    expect(closedOnly.changeFailureRate.overall).toEqual({ promotions: 6, failed: 4, rate: 4 / 6 });
  });
});
