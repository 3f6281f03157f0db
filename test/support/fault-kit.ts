/**
 * Tools for the fault-injection tests: a TCP proxy in front of Postgres that can be cut (so
 * "the database went away" never touches the machine's shared server), a write queue that runs
 * a hook at the moment a promotion starts its GitHub writes, and the one consistency check every
 * fault test ends with: the rows say what GitHub says.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server, Socket } from "node:net";
import { expect } from "vitest";
import type { Promotion } from "../../lib/generated/prisma/client";
import { WriteQueue } from "../../lib/github/write-queue";
import { verifyChain } from "../../lib/promotion/audit-chain";
import type { World } from "./promotion-world";

export interface CuttableProxy {
  /** postgresql:// URL through the proxy (same database, user and options as `target`). */
  url: string;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A plain TCP relay to `targetUrl`'s host and port; cutting it is Postgres vanishing mid-flight. */
export async function startCuttableProxy(targetUrl: string): Promise<CuttableProxy> {
  const target = new URL(targetUrl);
  const host = target.hostname;
  const port = Number(target.port || 5432);
  const open = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = new Socket();
    const pair = [client, upstream];
    for (const s of pair) {
      open.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        open.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    upstream.connect(port, host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const proxied = new URL(targetUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(typeof address === "object" && address ? address.port : 0);
  return {
    url: proxied.toString(),
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    restore() {
      down = false;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      down = true;
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A write queue that runs `before` (once per arming) right before a promotion's GitHub writes start. */
export class HookedQueue extends WriteQueue {
  private hook: (() => Promise<void> | void) | undefined;

  arm(hook: () => Promise<void> | void): void {
    this.hook = hook;
  }

  override async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const hook = this.hook;
    this.hook = undefined;
    if (hook) await hook();
    return await super.run(key, task);
  }
}

export async function rowsOf(world: World, app: string): Promise<Promotion[]> {
  return await world.db.promotion.findMany({ where: { app }, orderBy: { createdAt: "asc" } });
}

export function pullsOf(world: World, app: string) {
  return world.server.control.pullRequests().filter((p) => p.head.startsWith(`ladder/${app}/`));
}

export async function branchesOf(world: World, app: string): Promise<string[]> {
  return (await world.server.control.branches()).filter((b) => b.startsWith(`ladder/${app}/`));
}

/**
 * The invariant after any fault, once reconcile ran: every row's status is its PR's state
 * (OPEN ⇔ open, MERGED ⇔ merged, CLOSED ⇔ closed), FAILED rows own no PR, every Ladder PR
 * belongs to exactly one row, at most one row holds the open slot, no promotion branch is left
 * that no PR uses (an orphan), and the audit chain verifies.
 */
export async function expectConsistent(world: World, app: string): Promise<void> {
  await world.server.control.flushWebhooks();
  const rows = await rowsOf(world, app);
  const pulls = pullsOf(world, app);
  for (const row of rows) {
    const pr = row.prNumber === null ? undefined : pulls.find((p) => p.number === row.prNumber);
    const label = `${row.id} ${row.status} #${row.prNumber}`;
    if (row.status === "PENDING") throw new Error(`row ${label} is still PENDING after reconcile`);
    if (row.status === "FAILED") {
      expect(row.prNumber, label).toBeNull();
      expect(row.openSlot, label).toBeNull();
      continue;
    }
    expect(pr, `${label}: its PR exists on GitHub`).toBeDefined();
    const state = pr?.merged ? "MERGED" : pr?.state === "open" ? "OPEN" : "CLOSED";
    expect(row.status, label).toBe(state);
    expect(row.branch, label).toBe(pr?.head);
  }
  for (const pr of pulls) {
    expect(
      rows.filter((r) => r.prNumber === pr.number),
      `PR #${pr.number} has exactly one row`,
    ).toHaveLength(1);
  }
  expect(rows.filter((r) => r.openSlot !== null).length).toBeLessThanOrEqual(1);
  const heads = new Set(pulls.map((p) => p.head));
  expect(
    (await branchesOf(world, app)).filter((b) => !heads.has(b)),
    "orphan promotion branches",
  ).toEqual([]);
  expect((await verifyChain(world.db)).ok).toBe(true);
}

export interface ReplicaProcess {
  child: ChildProcess;
  /** JSON lines printed so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves when a printed line satisfies `predicate`. */
  waitFor(predicate: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  go(): void;
  /** Exit code, or the signal's name. */
  exited: Promise<number | string>;
  stderr(): string;
}

/** The promotion core in a child process (test/support/promotion-child.ts) on the world's database and GitHub. */
export function spawnReplica(world: World, args: string[]): ReplicaProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/promotion-child.ts", ...args], {
    env: {
      ...process.env,
      LADDER_TEST_DATABASE_URL: world.database.url,
      LADDER_TEST_GITHUB_API: world.server.apiBaseUrl,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let err = "";
  let buffer = "";
  const waiters: Array<() => void> = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
      nl = buffer.indexOf("\n");
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    go: () => child.stdin?.write("go\n"),
    async waitFor(predicate, ms = 60_000) {
      const until = Date.now() + ms;
      for (;;) {
        const found = lines.find(predicate);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`replica exited (${child.exitCode ?? child.signalCode}) before the expected line:\n${err}`);
        if (Date.now() > until) throw new Error(`timed out waiting for the replica:\n${err}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

/** Polls `check` every 20 ms until it is true (or fails after `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 30_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
