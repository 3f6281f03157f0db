/**
 * The container without Docker: the Dockerfile's own esbuild step bundles the
 * real entry (cmd/launcher/container-main.mjs), which then runs from an
 * /app-like directory holding exactly what the runtime stage copies — the
 * standalone server, its static files, the migrations and the bundle, with
 * no project node_modules — against a throwaway PostgreSQL database.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "@/cmd/launcher/port";
import { readMigrations } from "@/lib/db/migrate";
import { parseDockerfile } from "../support/dockerfile";
import { createTestDatabase, query, type TestDatabase } from "../support/postgres";

const ROOT = path.resolve(".");
const ENTRY = "cmd/launcher/container-main.mjs";
const hasBuild = existsSync(path.join(ROOT, ".next", "standalone", "server.js"));

function runEntry(
  app: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: app,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      LADDER_AUTH_MODE: "local",
      LADDER_ALLOW_LOCAL_AUTH: "1",
      LADDER_AUTH_SECRET: "a-test-secret-of-at-least-32-characters",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  return { child, output: () => output, exited: new Promise((r) => child.once("exit", (code) => r(code ?? -1))) };
}

describe.skipIf(!hasBuild)("the container image's runtime, without Docker", () => {
  let tmp: string;
  let app: string;
  let db: TestDatabase;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "ladder-container-"));
    app = path.join(tmp, "app");
    db = await createTestDatabase("ladder_container");
    // Bundle exactly as the build stage does.
    const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
    const build = dockerfile.stages.find((s) => s.name === "build");
    const step = build?.instructions.find((i) => i.keyword === "RUN" && i.args.includes(`esbuild ${ENTRY}`));
    if (!step) throw new Error("the Dockerfile has no esbuild step for the entry");
    execFileSync("sh", ["-c", step.args.replaceAll("/out/", `${tmp}/out/`)], { cwd: ROOT, stdio: "pipe" });
    // The runtime stage's COPY lines.
    cpSync(path.join(ROOT, ".next", "standalone"), app, { recursive: true });
    mkdirSync(path.join(app, "prisma"), { recursive: true });
    cpSync(path.join(ROOT, "prisma", "migrations"), path.join(app, "prisma", "migrations"), { recursive: true });
    mkdirSync(path.join(app, "cmd", "launcher"), { recursive: true });
    cpSync(path.join(tmp, "out", ENTRY), path.join(app, ENTRY));
    // Standalone output symlinks nothing back into the project, but make sure.
    symlinkSync("/nonexistent", path.join(tmp, "node_modules"));
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("migrates the database, serves /api/health and stops on SIGTERM", async () => {
    const port = await freePort();
    const run = runEntry(app, {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      HOSTNAME: "container-xyz",
    });
    const until = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < until && run.child.exitCode === null) {
      status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status, run.output()).toBe(200);
    const rows = await query<{ migration_name: string }>(
      db.url,
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`,
    );
    expect(rows.map((r) => r.migration_name).sort()).toEqual((await readMigrations()).map((m) => m.name));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  test("refuses to start without DATABASE_URL, in one line", async () => {
    const run = runEntry(app, { NODE_ENV: "production", PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      "ladder: DATABASE_URL is required in the container: the embedded database is for local use only.",
    );
  });
});
