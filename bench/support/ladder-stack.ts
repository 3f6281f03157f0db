/**
 * The production build of Ladder with everything around it, for benchmarks that drive the real
 * server: a throwaway database on the local PostgreSQL, the GitHub-compatible server seeded with
 * a generated repository (apps × environments), and `.next/standalone` started through the
 * launcher with proxy sign-in (the trusted proxy is 127.0.0.1, so an `x-forwarded-user` header
 * from this process signs in). Needs `npm run build` and PostgreSQL on 127.0.0.1:5432.
 * Anything running this must hold the build lock shared: `flock -s /tmp/ladder-build.lock …`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../cmd/launcher/port";
import { type RunningLadder, serve } from "../../cmd/launcher/serve";
import { fakeDigest, generateGitOpsRepo, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { createDb, type Db } from "../../lib/db/client";
import type { PromotionContext } from "../../lib/promotion/context";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres";
import { replicaContext } from "../../test/support/promotion-world";

export const BENCH_USER = "bench";
export const WEBHOOK_SECRET = "bench-webhook-secret";
export const ENVIRONMENTS = ["dev", "test", "staging", "prod"] as const;

export interface LadderStack {
  url: string;
  ladder: RunningLadder;
  github: GitHubServer;
  database: TestDatabase;
  db: Db;
  apps: number;
  /** Headers that sign a request in (proxy mode). */
  headers: Record<string, string>;
  /** The promotion core against the same database and GitHub: another replica, for background promotions. */
  replica(): PromotionContext;
  /** Resident memory of the Next server process, in bytes (Linux /proc). */
  serverRss(): number | undefined;
  stop(): Promise<void>;
}

export function hasBuild(): boolean {
  return existsSync(path.resolve(".next", "standalone", "server.js"));
}

export { fakeDigest, overlayPath };

export async function startLadderStack(options: {
  apps: number;
  quiet?: boolean;
  /** NODE_OPTIONS for the server (e.g. a heap limit, to tell a leak from a lazy collector). */
  nodeOptions?: string;
}): Promise<LadderStack> {
  if (!hasBuild()) throw new Error("No production build: run `flock /tmp/ladder-build.lock npm run build` first.");
  const database = await createTestDatabase("ladder_bench");
  const port = await freePort();
  const github = await startGitHubServer({
    seed: generateGitOpsRepo({ apps: options.apps, environments: ENVIRONMENTS }),
    webhookUrl: `http://127.0.0.1:${port}/api/webhooks/github`,
    webhookSecret: WEBHOOK_SECRET,
    // As in the demo: a schema slip is counted (violations()), not turned into a 500 under load.
    strict: false,
  });
  let ladder: RunningLadder;
  try {
    ladder = await serve(
      {
        mode: "start",
        extraEnv: {
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: database.url,
          LADDER_REPOSITORY: `${github.owner}/${github.repo}`,
          LADDER_BRANCH: "main",
          GITHUB_API_URL: github.apiBaseUrl,
          GITHUB_TOKEN: "test-token",
          GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
          GITHUB_WRITE_SPACING_MS: "0",
          LADDER_AUTH_MODE: "proxy",
          LADDER_TRUSTED_PROXIES: "127.0.0.1",
          NODE_ENV: "production",
        },
        log: options.quiet ? () => {} : (line) => console.error(`ladder: ${line}`),
      },
      { PATH: process.env.PATH, HOME: process.env.HOME, ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}) },
    );
  } catch (error) {
    await github.stop();
    await database.drop();
    throw error;
  }
  const db = createDb(database.url, { poolMax: 4 });
  const stack: LadderStack = {
    url: ladder.url,
    ladder,
    github,
    database,
    db,
    apps: options.apps,
    headers: { "x-forwarded-user": BENCH_USER },
    replica: () => replicaContext(db, github.apiBaseUrl),
    serverRss() {
      const pid = ladder.child.pid;
      if (!pid) return undefined;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      await ladder.stop();
      await github.control.flushWebhooks().catch(() => undefined);
      await github.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
  try {
    await waitReady(stack);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Waits for /api/health, then renders `/` once so the repository view is warm. */
async function waitReady(stack: LadderStack): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const health = await fetch(`${stack.url}/api/health`);
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    if (stack.ladder.child.exitCode !== null) throw new Error("the Ladder server exited during start-up");
    if (Date.now() > until) throw new Error("the Ladder server did not become ready within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  const home = await fetch(`${stack.url}/`, { headers: stack.headers });
  const body = await home.text();
  if (!home.ok) throw new Error(`GET / answered ${home.status} after start-up: ${body.slice(0, 300)}`);
}

/** Milliseconds percentiles of a sample (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
