/**
 * npm run bench:github — request counts and wall time for Ladder's GitHub reads and one
 * promotion, against the GitHub-compatible server with 50 ms injected latency on every request,
 * beside a naive reader (contents API per directory and per file) in the same run.
 * A benchmark, not a test: it prints figures and checks them against the targets.
 */
import { pathToFileURL } from "node:url";
import { appName, fakeDigest, generateGitOpsRepo, overlayContent, overlayPath } from "../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../github-stand-in/server";
import { BlobCache } from "../lib/github/blob-cache";
import { createGitHubClient, type GitHubClient } from "../lib/github/client";
import { createGitHubReader, type GitHubRepoReader } from "../lib/github/github-reader";
import { openPromotionPr } from "../lib/github/open-promotion-pr";
import { refreshScan } from "../lib/gitops/refresh-scan";
import { scanContext, scanRepository } from "../lib/gitops/scan";

const APPS = 100;
const ENVS = ["dev", "test", "staging", "prod"];
const LATENCY_MS = 50;
const CONCURRENCY = 8;

export interface Measure {
  requests: number;
  ms: number;
  detail: Record<string, number>;
}

async function measure(server: GitHubServer, work: () => Promise<unknown>): Promise<Measure> {
  server.control.resetCounters();
  const started = performance.now();
  await work();
  return { requests: server.control.totalRequests(), ms: performance.now() - started, detail: server.control.counters() };
}

async function ladderRead(reader: GitHubRepoReader): Promise<number> {
  const snap = await reader.snapshot("main");
  const contents = await snap.readMany(snap.files().map((f) => f.path));
  return contents.size;
}

/** What a first attempt usually looks like: walk directories and fetch each file by path. */
async function naiveRead(client: GitHubClient, owner: string, repo: string): Promise<number> {
  const octokit = client.octokit;
  const files = new Map<string, string>();
  let frontier = [""];
  while (frontier.length > 0) {
    const next: string[] = [];
    const filePaths: string[] = [];
    for (let i = 0; i < frontier.length; i += CONCURRENCY) {
      const listings = await Promise.all(
        frontier
          .slice(i, i + CONCURRENCY)
          .map(async (dir) => (await octokit.repos.getContent({ owner, repo, path: dir, ref: "main" })).data),
      );
      for (const listing of listings) {
        for (const entry of Array.isArray(listing) ? listing : []) {
          if (entry.type === "dir") next.push(entry.path);
          else if (entry.type === "file") filePaths.push(entry.path);
        }
      }
    }
    for (let i = 0; i < filePaths.length; i += CONCURRENCY) {
      await Promise.all(
        filePaths.slice(i, i + CONCURRENCY).map(async (path) => {
          const { data } = await octokit.repos.getContent({ owner, repo, path, ref: "main" });
          if (!Array.isArray(data) && data.type === "file") files.set(path, Buffer.from(data.content, "base64").toString("utf8"));
        }),
      );
    }
    frontier = next;
  }
  return files.size;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 10)).join("  ");
}

export interface GithubFigures {
  apps: number;
  environments: number;
  files: number;
  latencyMs: number;
  cold: Measure;
  coldRest: Measure;
  naiveCold: Measure;
  warm: Measure;
  naiveWarm: Measure;
  afterCommit: Measure;
  naiveAfter: Measure;
  promotionPaced: Measure;
  promotionUnpaced: Measure;
  promotionRepeat: Measure;
  /** A new head's scan as the repository service makes it: snapshot, then refreshScan of the last scan. */
  scanRefresh: Measure;
  refreshedCells: number;
  violations: number;
  firstViolation?: unknown;
}

export const GITHUB_TARGETS = { warmRequests: 1, afterCommitRequests: 4, promotionRequests: 6, refreshRequests: 4 };

/** Reads and one promotion against the test server with 50 ms latency per request, beside the naive reader. */
export async function runGithubBench(): Promise<GithubFigures> {
  const seed = generateGitOpsRepo({ apps: APPS, environments: ENVS });
  const server = await startGitHubServer({ seed, strict: true });
  const { owner, repo } = server;
  const clientConfig = { auth: { kind: "token" as const, token: "test-token" }, baseUrl: server.apiBaseUrl };
  try {
    server.control.injectFault({ kind: "latency", ms: LATENCY_MS });
    const client = createGitHubClient(clientConfig);
    const reader = createGitHubReader({
      client,
      owner,
      repo,
      defaultBranch: "main",
      blobCache: new BlobCache(),
      concurrency: CONCURRENCY,
    });
    const fileCount = Object.keys(seed).length;

    const restOnly = createGitHubReader({
      client,
      owner,
      repo,
      defaultBranch: "main",
      blobCache: new BlobCache(),
      concurrency: CONCURRENCY,
      graphqlColdStart: false,
    });
    const coldRest = await measure(server, () => ladderRead(restOnly));
    const cold = await measure(server, () => ladderRead(reader));
    const naiveCold = await measure(server, () => naiveRead(client, owner, repo));
    const warm = await measure(server, () => ladderRead(reader));
    const naiveWarm = await measure(server, () => naiveRead(client, owner, repo));

    const bump = overlayPath(appName(7), "dev");
    await server.control.commit(
      { [bump]: overlayContent(appName(7), "dev", fakeDigest(appName(7), 1000)) },
      { message: "bump dev" },
    );
    const afterCommit = await measure(server, () => ladderRead(reader));
    const naiveAfter = await measure(server, () => naiveRead(client, owner, repo));

    // One promotion: app-003 staging → prod, planned from a fresh snapshot as the web app would.
    const app = appName(3);
    const snap = await reader.snapshot("main");
    const path = overlayPath(app, "prod");
    const current = (await snap.read(path)) ?? "";
    const input = {
      owner,
      repo,
      baseBranch: "main",
      seen: { commit: snap.commit, treeSha: snap.treeSha },
      fromEnv: "staging",
      toEnv: "prod",
      actor: "bench",
    };
    const promote = (build: number, c: GitHubClient) =>
      openPromotionPr({
        ...input,
        client: c,
        files: [
          {
            path,
            content: current.replace(fakeDigest(app, 1), fakeDigest(app, build)),
            expectedBlobSha: snap.file(path)?.sha ?? "",
          },
        ],
        changes: [
          {
            app,
            from: { digest: fakeDigest(app, 1), tag: null },
            to: { digest: fakeDigest(app, build), tag: null },
            path,
            evidence: [{ environment: "staging", since: new Date().toISOString() }],
            diff: "",
          },
        ],
      });
    const promotionPaced = await measure(server, () => promote(2, createGitHubClient(clientConfig)));
    const promotionUnpaced = await measure(server, () => promote(3, createGitHubClient({ ...clientConfig, writeSpacingMs: 0 })));
    const promotionRepeat = await measure(server, () => promote(3, createGitHubClient({ ...clientConfig, writeSpacingMs: 0 })));

    // What the repository service does on a new head: a refresh of the last scan (#15 item 1).
    const scanOptions = { render: false, helm: false } as const;
    const lastScan = await scanRepository(await reader.snapshot("main"), scanOptions);
    const bumped = overlayPath(appName(11), "test");
    await server.control.commit(
      { [bumped]: overlayContent(appName(11), "test", fakeDigest(appName(11), 2000)) },
      { message: "bump test" },
    );
    let refreshedCells = 0;
    const scanRefresh = await measure(server, async () => {
      const next = await refreshScan(lastScan, await reader.snapshot("main"), scanOptions);
      refreshedCells = scanContext(next)?.resolved ?? -1;
    });

    const violations = server.control.violations();
    return {
      apps: APPS,
      environments: ENVS.length,
      files: fileCount,
      latencyMs: LATENCY_MS,
      cold,
      coldRest,
      naiveCold,
      warm,
      naiveWarm,
      afterCommit,
      naiveAfter,
      promotionPaced,
      promotionUnpaced,
      promotionRepeat,
      scanRefresh,
      refreshedCells,
      violations: violations.length,
      ...(violations.length > 0 ? { firstViolation: violations[0] } : {}),
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const f = await runGithubBench();
  const {
    cold,
    coldRest,
    naiveCold,
    warm,
    naiveWarm,
    afterCommit,
    naiveAfter,
    promotionPaced,
    promotionUnpaced,
    promotionRepeat,
    scanRefresh,
  } = f;
  const widths = [44, 9, 10, 9, 10, 12];
  const fmt = (m: Measure) => [String(m.requests), `${(m.ms / 1000).toFixed(2)} s`];
  console.log(
    `\nLadder GitHub bench: ${APPS} apps × ${ENVS.length} envs = ${f.files} files, ${LATENCY_MS} ms latency per request, concurrency ${CONCURRENCY}\n`,
  );
  console.log(row(["scenario", "requests", "wall", "naive req", "naive wall", "target"], widths));
  console.log(row(["-".repeat(44), "--------", "----", "---------", "----------", "------"], widths));
  console.log(row(["cold read (ref + tree + GraphQL blobs)", ...fmt(cold), ...fmt(naiveCold), ""], widths));
  console.log(row(["cold read, REST blobs only", ...fmt(coldRest), "", "", ""], widths));
  console.log(row(["warm read, no new commit", ...fmt(warm), ...fmt(naiveWarm), "= 1"], widths));
  console.log(row(["read after a one-file commit", ...fmt(afterCommit), ...fmt(naiveAfter), "<= 4"], widths));
  console.log(row(["one promotion (Octokit write pacing 1 s/3 s)", ...fmt(promotionPaced), "", "", "<= 6"], widths));
  console.log(row(["one promotion (write pacing off)", ...fmt(promotionUnpaced), "", "", "<= 6"], widths));
  console.log(row(["same promotion again (returns existing PR)", ...fmt(promotionRepeat), "", "", ""], widths));
  console.log(row([`scan refresh, one-file commit (${f.refreshedCells} cell)`, ...fmt(scanRefresh), "", "", "<= 4"], widths));
  console.log("\nper endpoint:");
  for (const [name, m] of Object.entries({
    coldRest,
    cold,
    warm,
    afterCommit,
    promotionUnpaced,
    promotionRepeat,
    scanRefresh,
  }))
    console.log(`  ${name}: ${JSON.stringify(m.detail)}`);

  const misses: string[] = [
    warm.requests === 1 ? undefined : `warm read took ${warm.requests} requests`,
    afterCommit.requests <= 4 ? undefined : `read after commit took ${afterCommit.requests} requests`,
    promotionUnpaced.requests <= 6 ? undefined : `promotion took ${promotionUnpaced.requests} requests`,
    scanRefresh.requests <= GITHUB_TARGETS.refreshRequests
      ? undefined
      : `scan refresh after a commit took ${scanRefresh.requests} requests`,
  ].filter((m): m is string => m !== undefined);
  if (f.violations > 0) misses.push(`${f.violations} OpenAPI violations, first: ${JSON.stringify(f.firstViolation)}`);
  console.log(misses.length === 0 ? "\nall targets met" : `\nTARGETS MISSED: ${misses.join("; ")}`);
  if (misses.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
