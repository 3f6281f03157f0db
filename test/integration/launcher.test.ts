/**
 * `npm start` as a newcomer meets it: the embedded database, migrations, the
 * Next server, Ctrl-C — and one readable line for each way start-up can fail.
 * Needs a production build (`npm run build`), which `npm test` makes first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "@/cmd/launcher/port";
import { readMigrations } from "@/lib/db/migrate";

const hasBuild = existsSync(path.resolve(".next", "standalone", "server.js"));

/** `npm start` is production: sign-in must be configured; a local user, explicitly allowed. */
const localSignIn = {
  LADDER_AUTH_MODE: "local",
  LADDER_ALLOW_LOCAL_AUTH: "1",
  LADDER_AUTH_SECRET: "a-test-secret-of-at-least-32-characters",
};

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
}

function launch(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "cmd/launcher/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ...localSignIn,
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
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

async function waitFor(run: Run, text: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`exited early:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`timed out waiting for "${text}":\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasBuild)("npm start on the embedded default", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "ladder-launch-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test("serves the app, stops cleanly on Ctrl-C, and keeps its data for the next run", async () => {
    const port = await freePort();
    const first = launch({ LADDER_DATA_DIR: dataDir, PORT: String(port) });
    await waitFor(first, `serving on http://127.0.0.1:${port}`);
    await waitFor(first, "Ready");
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toContain("Environments");
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    const migrations = (await readMigrations()).length;
    expect(first.output()).toContain(`(${migrations} applied, 0 already there)`);
    // PGlite was closed: its lock is released.
    expect(existsSync(path.join(dataDir, "pglite", "ladder.pid"))).toBe(false);

    const second = launch({ LADDER_DATA_DIR: dataDir, PORT: String(port) });
    await waitFor(second, "Ready");
    expect(second.output()).toContain(`(0 applied, ${migrations} already there)`);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  test("a port in use is one line and exit 1", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const run = launch({ LADDER_DATA_DIR: dataDir, PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toBe(
        `ladder: Port ${port} on 127.0.0.1 is in use: stop the other process or set PORT to a free port.`,
      );
    } finally {
      blocker.close();
    }
  });

  test("an unreachable DATABASE_URL is one line naming the server, and exit 1", async () => {
    const run = launch({ DATABASE_URL: "postgresql://ladder:secret@127.0.0.1:1/ladder", PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      "ladder: Cannot reach the database at 127.0.0.1:1/ladder: connection refused. Is PostgreSQL running there?",
    );
    expect(run.output()).not.toContain("secret");
  });

  test("production without sign-in configured refuses to start, naming the setting", async () => {
    const run = launch({ LADDER_AUTH_MODE: "", PORT: String(await freePort()), LADDER_DATA_DIR: dataDir });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^ladder: Invalid environment: LADDER_AUTH_MODE .*required in production/);
  });

  test("a bad variable is named, with no stack trace", async () => {
    const run = launch({ GITHUB_API_URL: "not a url", PORT: "3000x" });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      'ladder: Invalid environment: PORT must be a port number (got "3000x"); GITHUB_API_URL must be an http(s) URL (got "not a url")',
    );
  });
});
