/**
 * Air-gapped Prisma: every CLI command Ladder's developers use must work with
 * only the npm registry. On a machine without the native schema engine the
 * CLI runs prisma/engine/schema-engine-bridge.mjs (the Wasm engine over pg).
 * This test changes the schema in a temporary copy of the project and drives
 * the CLI through generate → migrate dev → deploy → status → diff → reset.
 */
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { bridgePath, resolveSchemaEngine } from "../../prisma/engine/resolve-schema-engine.mjs";
import { adminUrl, createTestDatabase, query, type TestDatabase } from "../support/postgres";
import { prisma } from "../support/prisma-cli";

describe("Prisma CLI without network", () => {
  let project: string;
  let devDb: TestDatabase;
  let deployDb: TestDatabase;

  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), "ladder-prisma-"));
    await cp(path.resolve("prisma"), path.join(project, "prisma"), { recursive: true });
    await cp(path.resolve("prisma.config.ts"), path.join(project, "prisma.config.ts"));
    await cp(path.resolve("package.json"), path.join(project, "package.json"));
    await symlink(path.resolve("node_modules"), path.join(project, "node_modules"), "dir");
    // Generate into the copy, not into the real lib/generated.
    const schemaPath = path.join(project, "prisma", "schema.prisma");
    const schema = await readFile(schemaPath, "utf8");
    await writeFile(
      schemaPath,
      schema
        .replace('output       = "../lib/generated/prisma"', 'output       = "../generated/prisma"')
        .replace("  error          String?\n", "  error          String?\n  note           String?\n"),
    );
    devDb = await createTestDatabase();
    deployDb = await createTestDatabase();
  });

  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
    await devDb?.drop();
    await deployDb?.drop();
  });

  test("picks the bridge when no native engine is installed, and respects an explicit choice", async () => {
    const env: Record<string, string | undefined> = {};
    const choice = resolveSchemaEngine(env);
    expect(["bridge", "native"]).toContain(choice.kind);
    expect(env.PRISMA_SCHEMA_ENGINE_BINARY).toBe(choice.path);
    if (choice.kind === "bridge") expect(choice.path).toBe(bridgePath);
    const user = resolveSchemaEngine({ PRISMA_SCHEMA_ENGINE_BINARY: "/opt/engine" });
    expect(user).toEqual({ kind: "user", path: "/opt/engine" });
  });

  test("prisma generate", async () => {
    const result = await prisma(["generate"], { cwd: project });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain("Generated Prisma Client");
  });

  test("prisma migrate dev creates a migration from the schema change and applies it", async () => {
    const before = await readdir(path.join(project, "prisma", "migrations"));
    const result = await prisma(["migrate", "dev", "--name", "add_note"], { cwd: project, databaseUrl: devDb.url });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const after = await readdir(path.join(project, "prisma", "migrations"));
    const created = after.filter((name) => !before.includes(name));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(/^\d{14}_add_note$/);
    const sql = await readFile(path.join(project, "prisma", "migrations", created[0] ?? "", "migration.sql"), "utf8");
    expect(sql).toContain('ALTER TABLE "promotion" ADD COLUMN     "note" TEXT;');
    const columns = await query<{ column_name: string }>(
      devDb.url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'promotion' AND column_name = 'note'",
    );
    expect(columns).toHaveLength(1);
    // The shadow database the engine used is gone again.
    const shadows = await query(adminUrl(), "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
    expect(shadows).toEqual([]);
  });

  test("prisma migrate deploy and status on a fresh database", async () => {
    const deploy = await prisma(["migrate", "deploy"], { cwd: project, databaseUrl: deployDb.url });
    expect(deploy.status, deploy.stderr + deploy.stdout).toBe(0);
    expect(deploy.stdout).toContain("All migrations have been successfully applied");
    const status = await prisma(["migrate", "status"], { cwd: project, databaseUrl: deployDb.url });
    expect(status.status, status.stderr + status.stdout).toBe(0);
    expect(status.stdout).toContain("Database schema is up to date");
  });

  test("prisma migrate status notices a pending migration", async () => {
    const pendingDb = await createTestDatabase();
    try {
      await migrate(pendingDb.url); // the project's migrations, without add_note
      const status = await prisma(["migrate", "status"], { cwd: project, databaseUrl: pendingDb.url });
      expect(status.status).not.toBe(0);
      expect(status.stdout).toMatch(/Following migration have not yet been applied:\s+\d{14}_add_note/);
    } finally {
      await pendingDb.drop();
    }
  });

  test("prisma migrate diff: migrations match the schema; a script from empty", async () => {
    const same = await prisma(
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--exit-code"],
      { cwd: project, databaseUrl: devDb.url },
    );
    expect(same.status, same.stderr + same.stdout).toBe(0);
    expect(same.stdout).toContain("No difference detected");
    const script = await prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"], {
      cwd: project,
      databaseUrl: devDb.url,
    });
    expect(script.status, script.stderr).toBe(0);
    expect(script.stdout).toContain('CREATE TABLE "promotion"');
    expect(script.stdout).toContain('"note" TEXT');
  });

  test("prisma migrate reset empties and re-applies", async () => {
    await query(devDb.url, `INSERT INTO webhook_delivery (delivery_id, event) VALUES ('d-1', 'push')`);
    const reset = await prisma(["migrate", "reset", "--force"], { cwd: project, databaseUrl: devDb.url });
    expect(reset.status, reset.stderr + reset.stdout).toBe(0);
    expect(await query(devDb.url, "SELECT * FROM webhook_delivery")).toEqual([]);
  });

  test("a database that does not exist is created by migrate deploy; an unreachable server is named", async () => {
    const missing = `${devDb.url}_missing`;
    const dev = await prisma(["migrate", "deploy"], { cwd: project, databaseUrl: missing });
    try {
      expect(dev.status, dev.stderr + dev.stdout).toBe(0);
    } finally {
      const name = new URL(missing).pathname.slice(1);
      await query(adminUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    const down = await prisma(["migrate", "status"], { cwd: project, databaseUrl: "postgresql://postgres@127.0.0.1:1/x" });
    expect(down.status).not.toBe(0);
    expect(down.stderr + down.stdout).toContain("Can't reach database server at `127.0.0.1:1`");
  });
});
