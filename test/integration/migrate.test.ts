/**
 * The start-up migration runner against a real PostgreSQL server: it must
 * leave exactly the `_prisma_migrations` rows the Prisma CLI would, so that
 * `prisma migrate status` (run through the offline engine) agrees.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checksumOf, MigrationError, migrate, readMigrations } from "@/lib/db/migrate";
import { createTestDatabase, query, type TestDatabase } from "../support/postgres";
import { prisma } from "../support/prisma-cli";

describe("migration runner on PostgreSQL", () => {
  let runnerDb: TestDatabase;
  let cliDb: TestDatabase;

  beforeAll(async () => {
    runnerDb = await createTestDatabase();
    cliDb = await createTestDatabase();
  });
  afterAll(async () => {
    await runnerDb?.drop();
    await cliDb?.drop();
  });

  test("applies every committed migration, then nothing on a second run", async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const first = await migrate(runnerDb.url);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const second = await migrate(runnerDb.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(migrations.map((m) => m.name));
    const tables = await query<{ table_name: string }>(
      runnerDb.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "promotion", "promotion_event", "environment_lock", "webhook_delivery"]),
    );
  });

  test("writes the same _prisma_migrations rows as `prisma migrate deploy`", async () => {
    const deploy = await prisma(["migrate", "deploy"], { databaseUrl: cliDb.url });
    expect(deploy.status, deploy.stderr + deploy.stdout).toBe(0);
    const fromCli = await query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      cliDb.url,
      `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const fromRunner = await query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      runnerDb.url,
      `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(fromRunner).toEqual(fromCli);
    const migrations = await readMigrations();
    expect(fromRunner.map((r) => r.checksum)).toEqual(migrations.map((m) => checksumOf(m.sql)));
  });

  test("`prisma migrate status` reports the runner's database up to date", async () => {
    const status = await prisma(["migrate", "status"], { databaseUrl: runnerDb.url });
    expect(status.status, status.stderr + status.stdout).toBe(0);
    expect(status.stdout).toContain("Database schema is up to date");
  });

  test("refuses a migration edited after it was applied, naming it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ladder-migrations-"));
    try {
      await cp(path.resolve("prisma", "migrations"), dir, { recursive: true });
      const [first] = await readMigrations(dir);
      if (!first) throw new Error("no migrations");
      await writeFile(path.join(dir, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
      const error = await migrate(runnerDb.url, { dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toContain(`Migration ${first.name} was modified after it was applied`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a failing migration is recorded as failed and blocks the next start with a clear message", async () => {
    const db = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "ladder-migrations-"));
    try {
      await cp(path.resolve("prisma", "migrations"), dir, { recursive: true });
      const bad = "29990101000000_broken";
      await cp(path.join(dir, (await readMigrations(dir))[0]?.name ?? ""), path.join(dir, bad), { recursive: true });
      await writeFile(path.join(dir, bad, "migration.sql"), "CREATE TABLE broken (id int);\nSELECT no_such_function();\n");
      const error = await migrate(db.url, { dir }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/Migration 29990101000000_broken failed: .*no_such_function/);
      // The transaction rolled back: no half-applied table.
      const broken = await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'broken'");
      expect(broken).toHaveLength(0);
      const again = await migrate(db.url, { dir }).catch((e: unknown) => e);
      expect((again as Error).message).toContain("failed earlier and was not resolved");
      expect((again as Error).message).toContain("prisma migrate resolve --rolled-back 29990101000000_broken");
    } finally {
      await rm(dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  test("an unreachable server is one readable line naming the address", async () => {
    const error = await migrate("postgresql://postgres@127.0.0.1:1/nowhere").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toBe(
      "Cannot reach the database at 127.0.0.1:1/nowhere: connection refused. Is PostgreSQL running there?",
    );
  });
});
