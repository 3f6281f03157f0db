/**
 * The same data-layer suite against both databases Ladder runs on: a real
 * PostgreSQL server and the embedded PGlite served over the wire protocol.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { type EmbeddedDatabase, startEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate, readMigrations } from "@/lib/db/migrate";
import type { Prisma } from "@/lib/generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "../support/postgres";
import { prisma as prismaCli } from "../support/prisma-cli";

interface Backend {
  url: string;
  close(): Promise<void>;
}

const backends: [string, () => Promise<Backend>][] = [
  [
    "PostgreSQL server",
    async () => {
      const database: TestDatabase = await createTestDatabase();
      return { url: database.url, close: database.drop };
    },
  ],
  [
    "embedded PGlite",
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "ladder-pglite-"));
      const embedded = await startEmbeddedDatabase({ dataDir: dir });
      return {
        url: embedded.url,
        close: async () => {
          await embedded.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

function promotionData(overrides: Partial<Prisma.PromotionCreateInput> = {}): Prisma.PromotionCreateInput {
  return {
    repository: "acme/gitops",
    app: "api",
    image: "ghcr.io/acme/api",
    fromEnv: "staging",
    toEnv: "prod",
    digest: `sha256:${"a".repeat(64)}`,
    previousDigest: `sha256:${"b".repeat(64)}`,
    idempotencyKey: `acme/gitops|api|prod|${"a".repeat(12)}`,
    openSlot: "acme/gitops|api|prod",
    baseCommit: "0".repeat(40),
    requestedBy: "alice",
    ...overrides,
  };
}

describe.each(backends)("data layer on %s", (_name, open) => {
  let backend: Backend;
  let db: Db;

  beforeAll(async () => {
    backend = await open();
    await migrate(backend.url);
    db = createDb(backend.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await backend?.close();
  });

  test("records a promotion with its defaults", async () => {
    const row = await db.promotion.create({ data: promotionData() });
    expect(row.status).toBe("PENDING");
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.createdAt).toBeInstanceOf(Date);
    const found = await db.promotion.findUniqueOrThrow({ where: { idempotencyKey: row.idempotencyKey } });
    expect(found.digest).toBe(`sha256:${"a".repeat(64)}`);
  });

  test("allows one open promotion per repository, app and environment", async () => {
    const second = db.promotion.create({
      data: promotionData({ idempotencyKey: "other-key", digest: `sha256:${"c".repeat(64)}` }),
    });
    await expect(second).rejects.toMatchObject({ code: "P2002" });
    // Once the first one is done its slot is free again.
    await db.promotion.update({
      where: { idempotencyKey: `acme/gitops|api|prod|${"a".repeat(12)}` },
      data: { status: "MERGED", openSlot: null },
    });
    const third = await db.promotion.create({
      data: promotionData({ idempotencyKey: "third-key", digest: `sha256:${"c".repeat(64)}` }),
    });
    expect(third.status).toBe("PENDING");
    // A different environment has its own slot.
    const staging = await db.promotion.create({
      data: promotionData({ idempotencyKey: "staging-key", toEnv: "staging", openSlot: "acme/gitops|api|staging" }),
    });
    expect(staging.toEnv).toBe("staging");
  });

  test("events get increasing ids and keep their JSON detail", async () => {
    const promotion = await db.promotion.findFirstOrThrow({ where: { idempotencyKey: "third-key" } });
    const first = await db.promotionEvent.create({
      data: {
        promotionId: promotion.id,
        repository: "acme/gitops",
        type: "promotion.requested",
        actor: "alice",
        detail: { digest: promotion.digest, nested: { ok: true } },
        prevHash: "genesis",
        hash: "h1",
      },
    });
    const second = await db.promotionEvent.create({
      data: { repository: "acme/gitops", type: "environment.locked", actor: "bob", prevHash: "h1", hash: "h2" },
    });
    expect(second.id).toBeGreaterThan(first.id);
    expect(first.detail).toEqual({ digest: promotion.digest, nested: { ok: true } });
    expect(second.detail).toEqual({});
  });

  test("webhook deliveries are unique by delivery id", async () => {
    await db.webhookDelivery.create({ data: { deliveryId: "d-1", event: "pull_request" } });
    await expect(db.webhookDelivery.create({ data: { deliveryId: "d-1", event: "pull_request" } })).rejects.toMatchObject({
      code: "P2002",
    });
  });

  test("`prisma migrate status` agrees the schema is up to date", async () => {
    const status = await prismaCli(["migrate", "status"], { databaseUrl: backend.url });
    expect(status.status, status.stderr + status.stdout).toBe(0);
    expect(status.stdout).toContain("Database schema is up to date");
  });
});

describe("embedded database across restarts", () => {
  let dir: string;
  let embedded: EmbeddedDatabase | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "ladder-pglite-restart-"));
  });
  afterAll(async () => {
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("keeps rows and sequence state after a clean stop, and migrates only once", async () => {
    embedded = await startEmbeddedDatabase({ dataDir: dir });
    const first = await migrate(embedded.url);
    expect(first.applied).toHaveLength((await readMigrations()).length);
    let db = createDb(embedded.url);
    const before = await db.promotionEvent.create({
      data: { repository: "acme/gitops", type: "t", actor: "a", prevHash: "genesis", hash: "x1" },
    });
    await db.$disconnect();
    await embedded.stop();

    embedded = await startEmbeddedDatabase({ dataDir: dir });
    const second = await migrate(embedded.url);
    expect(second.applied).toEqual([]);
    db = createDb(embedded.url);
    const after = await db.promotionEvent.create({
      data: { repository: "acme/gitops", type: "t", actor: "a", prevHash: "x1", hash: "x2" },
    });
    expect(after.id).toBeGreaterThan(before.id);
    expect(await db.promotionEvent.count()).toBe(2);
    await db.$disconnect();
    await embedded.stop();
    embedded = undefined;
  });

  test("a second instance on the same data directory is refused with a clear message", async () => {
    embedded = await startEmbeddedDatabase({ dataDir: dir });
    const error = await startEmbeddedDatabase({ dataDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `The embedded database in ${path.join(dir, "pglite")} is in use by process ${process.pid} (this process): stop the other Ladder, or set LADDER_DATA_DIR to another directory.`,
    );
    await embedded.stop();
    // A lock left behind by a dead process does not block the next start.
    await writeFile(path.join(dir, "pglite", "ladder.pid"), "999999");
    embedded = await startEmbeddedDatabase({ dataDir: dir });
    await embedded.stop();
    embedded = undefined;
  });
});
