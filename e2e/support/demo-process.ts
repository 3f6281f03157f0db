/**
 * A second demo for a browser test: `node --import tsx cmd/demo/main.ts <args> --strict-github` on
 * free ports with its own data directory (and so its own embedded database), beside the one
 * playwright.config.ts starts. Stopped by its own process id, never by name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../cmd/launcher/port";
import type { Violation } from "../../github-stand-in/openapi-validator";
import { recordedViolations } from "./openapi-guard";

export interface DemoProcess {
  /** Ladder, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The GitHub stand-in serving the copy. */
  githubUrl: string;
  dataDir: string;
  /** Everything the demo printed so far. */
  output(): string;
  pulls(): Promise<{ number: number; state: string; head: string; title: string; merged?: boolean }[]>;
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  violations(): Promise<Violation[]>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startDemo(args: readonly string[]): Promise<DemoProcess> {
  const port = await freePort();
  const githubPort = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ladder-e2e-own-"));
  const url = `http://127.0.0.1:${port}`;
  const githubUrl = `http://127.0.0.1:${githubPort}`;
  // Its own embedded database in its own data directory, whatever the runner's DATABASE_URL says.
  const { DATABASE_URL: _shared, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "cmd/demo/main.ts", ...args, "--strict-github"], {
    env: {
      ...inherited,
      PORT: String(port),
      HOST: "127.0.0.1",
      LADDER_DATA_DIR: dataDir,
      LADDER_DEMO_GITHUB_PORT: String(githubPort),
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });

  const control = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${githubUrl}/_control/${route}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`control ${method} ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const until = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the demo exited (${child.exitCode}) before it was ready:\n${output}`);
    }
    const healthy = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`the demo was not healthy within 3 minutes:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  return {
    url,
    githubUrl,
    dataDir,
    output: () => output,
    pulls: async () => (await control<{ pulls: Awaited<ReturnType<DemoProcess["pulls"]>> }>("GET", "pulls")).pulls,
    commit: async (files, message) => (await control<{ sha: string }>("POST", "commit", { files, message })).sha,
    violations: () => recordedViolations(githubUrl),
    stop,
  };
}
