/**
 * npm run bench:load — viewers, promotions and webhooks at once against the production build.
 * autocannon drives N concurrent viewers, each cycling `/`, `/history` and `/apps/<random app>/
 * compare` of a 100 apps × 4 environments repository, while a second replica promotes apps
 * (staging → prod) and merges their PRs (the test server delivers the pull_request and push
 * webhooks to Ladder), and a stream of extra signed deliveries (10% replays) hits the webhook
 * route. Reports throughput, p50/p95/p99 latency, errors (target: zero 5xx), upstream GitHub
 * requests per minute made by the Ladder server, and its memory at the end.
 * Full: 60 s × 50 viewers (default); `--short`: 5 s × 10 viewers (what CI runs).
 * Hold the build lock shared while it runs: `flock -s /tmp/ladder-build.lock npm run bench:load`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Delivery, postDelivery, pullRequestDelivery } from "../test/support/webhook-deliveries";
import { type LadderStack, startLadderStack, WEBHOOK_SECRET } from "./support/ladder-stack";

export interface LoadOptions {
  seconds: number;
  connections: number;
  apps?: number;
  /** Promotions and extra webhooks in the background (default true); off isolates the viewers. */
  background?: boolean;
  /** NODE_OPTIONS for the Ladder server; default: what deploy/base sets (deployNodeOptions). */
  nodeOptions?: string;
}

/**
 * NODE_OPTIONS as deploy/base/deployment.yaml sets it for the Ladder container (its heap cap), so
 * the load test's memory figure is the one a pod would see; "" when it sets none.
 */
export function deployNodeOptions(file = "deploy/base/deployment.yaml"): string {
  const text = readFileSync(file, "utf8");
  const m = /- name: NODE_OPTIONS\n\s+value: "?([^"\n]+)"?/.exec(text);
  return m?.[1]?.trim() ?? "";
}

export interface LoadFigures {
  seconds: number;
  connections: number;
  requests: number;
  throughput: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  status: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /** Socket errors and timeouts seen by autocannon. */
  errors: number;
  timeouts: number;
  promotions: { opened: number; merged: number; failed: number };
  webhooks: { sent: number; ok: number; failed: number };
  /** Requests the Ladder server made to GitHub per minute (the promoting replica's own excluded). */
  githubPerMinute: number;
  /** All GitHub requests by operation (Ladder server and promoting replica). */
  githubByOperation: Record<string, number>;
  serverRssBytes: number | undefined;
  violations: number;
}

export const LOAD_FULL: LoadOptions = { seconds: 60, connections: 50 };
/** #15: for the full run, with the server's heap capped as deploy/base caps it. */
export const LOAD_TARGETS = { p95Ms: 800, rssMb: 450 };
export const LOAD_SHORT: LoadOptions = { seconds: 5, connections: 10 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ChildRun {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  onLine(listener: (line: Record<string, unknown>) => void): void;
  exited: Promise<number | string>;
}

function runChild(script: string, args: string[], env: Record<string, string> = {}): ChildRun {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, unknown>[] = [];
  const listeners: Array<(line: Record<string, unknown>) => void> = [];
  let buffer = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!text.startsWith("{")) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const l of listeners) l(line);
    }
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, lines, onLine: (l) => listeners.push(l), exited };
}

/** ~20 signed deliveries a second to Ladder's webhook route, one in ten a replay. */
async function webhooksInBackground(stack: LadderStack, signal: { stopped: boolean }, tally: LoadFigures["webhooks"]) {
  const url = `${stack.url}/api/webhooks/github`;
  const sent: Delivery[] = [];
  let n = 0;
  while (!signal.stopped) {
    const batch: Delivery[] = [];
    for (let i = 0; i < 4; i++, n++) {
      const replay = n % 10 === 9 ? sent[Math.floor(sent.length / 2)] : undefined;
      batch.push(
        replay ??
          pullRequestDelivery({
            repository: `${stack.github.owner}/${stack.github.repo}`,
            number: 900_000 + n,
            action: n % 2 ? "closed" : "opened",
            state: n % 2 ? "closed" : "open",
            merged: n % 4 === 1,
            branch: `ladder/elsewhere/prod/${n}`,
            headSha: "b".repeat(40),
          }),
      );
    }
    sent.push(...batch);
    const statuses = await Promise.all(batch.map((d) => postDelivery(url, WEBHOOK_SECRET, d).catch(() => 0)));
    for (const s of statuses) {
      tally.sent++;
      if (s >= 200 && s < 300) tally.ok++;
      else tally.failed++;
    }
    await sleep(200);
  }
}

/**
 * Three processes besides the Ladder server: the viewers (autocannon), a promoting replica that
 * opens PRs which this process merges, and this process (the GitHub server and the extra
 * webhooks). GitHub requests are counted by operation; the replica's own are subtracted.
 */
export async function runLoadBench(options: LoadOptions, given?: LadderStack): Promise<LoadFigures> {
  const stack =
    given ??
    (await startLadderStack({ apps: options.apps ?? 100, quiet: true, nodeOptions: options.nodeOptions ?? deployNodeOptions() }));
  const signal = { stopped: false };
  const promotions = { opened: 0, merged: 0, failed: 0 };
  const webhooks = { sent: 0, ok: 0, failed: 0 };
  let promoter: ChildRun | undefined;
  try {
    stack.github.control.resetCounters();
    const started = Date.now();
    const background = options.background ?? true;
    promoter = runChild("test/support/promotion-child.ts", ["promote-apps", String(background ? stack.apps : 0), "1000"], {
      LADDER_TEST_DATABASE_URL: stack.database.url,
      LADDER_TEST_GITHUB_API: stack.github.apiBaseUrl,
    });
    const merges: Promise<unknown>[] = [];
    promoter.onLine((line) => {
      if (typeof line.opened === "number") {
        promotions.opened++;
        const pr = line.opened;
        merges.push(
          sleep(500)
            .then(() => stack.github.control.mergePullRequest(pr))
            .then(
              () => promotions.merged++,
              () => promotions.failed++,
            ),
        );
      } else if (line.failed) promotions.failed++;
    });
    const hooks = background ? webhooksInBackground(stack, signal, webhooks) : Promise.resolve();
    const viewers = runChild("bench/support/viewers.ts", [
      JSON.stringify({
        url: stack.url,
        connections: options.connections,
        seconds: options.seconds,
        apps: stack.apps,
        headers: stack.headers,
      }),
    ]);
    const code = await viewers.exited;
    if (code !== 0) throw new Error(`the load generator exited with ${code}`);
    signal.stopped = true;
    promoter.child.kill("SIGTERM");
    await promoter.exited;
    await hooks;
    await Promise.all(merges);
    await stack.github.control.flushWebhooks();
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const counters = stack.github.control.counters();
    // The promoting replica reports its own GitHub requests; the rest are the Ladder server's.
    const replicaRequests = promoter.lines.reduce((n, l) => Math.max(n, typeof l.requests === "number" ? l.requests : 0), 0);
    const upstream = Object.values(counters).reduce((a, b) => a + b, 0) - replicaRequests;
    const result = viewers.lines[0] as unknown as ViewerResult;
    return {
      seconds: options.seconds,
      connections: options.connections,
      requests: result.requests,
      throughput: result.requests / options.seconds,
      latency: result.latency,
      status: result.status,
      errors: result.errors,
      timeouts: result.timeouts,
      promotions,
      webhooks,
      githubPerMinute: upstream / elapsedMinutes,
      githubByOperation: counters,
      serverRssBytes: stack.serverRss(),
      violations: stack.github.control.violations().length,
    };
  } finally {
    signal.stopped = true;
    if (promoter && promoter.child.exitCode === null) promoter.child.kill("SIGTERM");
    if (!given) await stack.stop();
  }
}

interface ViewerResult {
  requests: number;
  status: LoadFigures["status"];
  errors: number;
  timeouts: number;
  latency: LoadFigures["latency"];
}

export function describeLoad(f: LoadFigures): string {
  const mb = (b: number | undefined) => (b === undefined ? "n/a" : `${(b / 1024 / 1024).toFixed(0)} MB`);
  return [
    `load: ${f.connections} viewers × ${f.seconds} s on /, /history, /apps/<app>/compare (100 apps × 4 envs)`,
    `  throughput     ${f.throughput.toFixed(1)} req/s (${f.requests} requests)`,
    `  latency        p50 ${f.latency.p50.toFixed(0)} ms · p95 ${f.latency.p95.toFixed(0)} ms · p99 ${f.latency.p99.toFixed(0)} ms · max ${f.latency.max.toFixed(0)} ms`,
    `  answers        2xx ${f.status["2xx"]} · 3xx ${f.status["3xx"]} · 4xx ${f.status["4xx"]} · 5xx ${f.status["5xx"]} · socket errors ${f.errors} · timeouts ${f.timeouts}`,
    `  meanwhile      ${f.promotions.opened} promotions opened, ${f.promotions.merged} merged, ${f.promotions.failed} failed; ${f.webhooks.sent} extra webhooks (${f.webhooks.failed} not 2xx)`,
    `  GitHub         ${f.githubPerMinute.toFixed(0)} requests/min from the Ladder server`,
    `  server memory  ${mb(f.serverRssBytes)} RSS at the end`,
    `  API violations ${f.violations}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const short = process.argv.includes("--short");
  const figures = await runLoadBench(short ? LOAD_SHORT : LOAD_FULL);
  console.log(`\n${describeLoad(figures)}`);
  const misses = [
    figures.status["5xx"] === 0 ? undefined : `${figures.status["5xx"]} 5xx answers`,
    figures.errors === 0 ? undefined : `${figures.errors} socket errors`,
    figures.webhooks.failed === 0 ? undefined : `${figures.webhooks.failed} webhooks not accepted`,
  ].filter((m): m is string => m !== undefined);
  console.log(misses.length === 0 ? "\nall targets met" : `\nTARGETS MISSED: ${misses.join("; ")}`);
  if (misses.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
