/**
 * npm run bench:render — the production server rendering `/` for 100 apps × 4 environments with
 * a warm cache: p50/p95 over ≥100 sequential requests, beside a trivial route (/api/health) as
 * the server-overhead baseline in the same run; and the client JavaScript `/` loads, gzipped
 * (every script chunk its HTML references, from the build). Targets: p50 ≤ 50 ms, JS ≤ 200 KB.
 * Hold the build lock shared while it runs: `flock -s /tmp/ladder-build.lock npm run bench:render`.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { appName } from "../github-stand-in/fixtures";
import { type LadderStack, percentile, startLadderStack } from "./support/ladder-stack";

export interface RenderFigures {
  requests: number;
  htmlBytes: number;
  /** Bytes of inline `self.__next_f.push(…)` scripts: the RSC payload sent beside the markup. */
  rscPayloadBytes: number;
  home: { p50: number; p95: number; mean: number };
  health: { p50: number; p95: number; mean: number };
  /** p50(/) ÷ p50(/api/health). */
  ratio: number;
  scripts: number;
  jsBytes: number;
  jsGzipBytes: number;
  errors: number;
}

export const RENDER_TARGETS = { p50Ms: 50, jsGzipBytes: 200 * 1024, htmlBytes: 250 * 1024, scaleRatio: 2 };

/** One page's warm figures: p50 over sequential requests and the HTML it sends. */
export interface PageFigures {
  route: string;
  p50: number;
  p95: number;
  htmlBytes: number;
  errors: number;
}

/** The pages a viewer reads, for an app in the middle of the repository. */
function pageRoutes(apps: number): { name: string; route: string }[] {
  const app = appName(Math.floor(apps / 2));
  return [
    { name: "/", route: "/" },
    { name: "/?q=<app>", route: `/?q=${app}` },
    { name: "/history", route: "/history" },
    { name: "/apps/<app>", route: `/apps/${app}` },
    { name: "/apps/<app>/compare", route: `/apps/${app}/compare?from=staging&to=prod` },
    { name: "/drift", route: "/drift" },
  ];
}

/**
 * Every page above for a generated repository of `apps` × 4 environments, warm (each page read
 * five times first, so the repository view and the per-commit caches are built): p50/p95 and
 * HTML bytes. `npm run bench` runs it at 100 and at 5,000 apps, side by side.
 */
export async function runPagesBench(apps: number, requests = 40): Promise<PageFigures[]> {
  // A 5,000-app scan does not fit deploy/base's 256 MB of old space (see deploy/base): 640, as it says.
  const stack = await startLadderStack({ apps, quiet: true, nodeOptions: apps > 1000 ? "--max-old-space-size=640" : undefined });
  try {
    const out: PageFigures[] = [];
    for (const { name, route } of pageRoutes(apps)) {
      let htmlBytes = 0;
      for (let i = 0; i < 5; i++)
        htmlBytes = (await (await fetch(`${stack.url}${route}`, { headers: stack.headers })).arrayBuffer()).byteLength;
      const t = await timeSequential(stack, route, requests);
      out.push({ route: name, p50: t.p50, p95: t.p95, htmlBytes, errors: t.errors });
    }
    return out;
  } finally {
    await stack.stop();
  }
}

export async function timeSequential(
  stack: LadderStack,
  route: string,
  n: number,
): Promise<{ p50: number; p95: number; mean: number; errors: number }> {
  const samples: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const response = await fetch(`${stack.url}${route}`, { headers: stack.headers });
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (!response.ok) errors++;
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    errors,
  };
}

/** The script chunks `/` references, read from the build and gzipped. */
async function clientJs(html: string): Promise<{ scripts: number; bytes: number; gzip: number }> {
  const sources = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)[^"]*"/g)) if (m[1]) sources.add(m[1]);
  let bytes = 0;
  let gzip = 0;
  for (const src of sources) {
    const rel = src.replace(/^\/_next\//, "");
    const file = path.resolve(".next", decodeURIComponent(rel));
    const content = await readFile(file);
    bytes += content.length;
    gzip += gzipSync(content, { level: 9 }).length;
  }
  return { scripts: sources.size, bytes, gzip };
}

export async function runRenderBench(options: { requests?: number; stack?: LadderStack } = {}): Promise<RenderFigures> {
  const n = Math.max(100, options.requests ?? 150);
  const stack = options.stack ?? (await startLadderStack({ apps: 100, quiet: true }));
  try {
    // Warm: the repository view, the route's code, the JIT.
    for (let i = 0; i < 10; i++) {
      await (await fetch(`${stack.url}/`, { headers: stack.headers })).arrayBuffer();
      await (await fetch(`${stack.url}/api/health`)).arrayBuffer();
    }
    const html = await (await fetch(`${stack.url}/`, { headers: stack.headers })).text();
    const home = await timeSequential(stack, "/", n);
    const health = await timeSequential(stack, "/api/health", n);
    const js = await clientJs(html);
    return {
      requests: n,
      htmlBytes: Buffer.byteLength(html),
      rscPayloadBytes: [...html.matchAll(/<script[^>]*>(self\.__next_f\.push\([\s\S]*?)<\/script>/g)].reduce(
        (n, m) => n + Buffer.byteLength(m[1] ?? ""),
        0,
      ),
      home: { p50: home.p50, p95: home.p95, mean: home.mean },
      health: { p50: health.p50, p95: health.p95, mean: health.mean },
      ratio: home.p50 / health.p50,
      scripts: js.scripts,
      jsBytes: js.bytes,
      jsGzipBytes: js.gzip,
      errors: home.errors + health.errors,
    };
  } finally {
    if (!options.stack) await stack.stop();
  }
}

async function main(): Promise<void> {
  const f = await runRenderBench();
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  console.log(`\nLadder render bench: / for 100 apps × 4 envs, warm, ${f.requests} sequential requests each\n`);
  console.log(
    `GET /            p50 ${f.home.p50.toFixed(1)} ms  p95 ${f.home.p95.toFixed(1)} ms  (HTML ${kb(f.htmlBytes)}, of which RSC payload ${kb(f.rscPayloadBytes)})`,
  );
  console.log(`GET /api/health  p50 ${f.health.p50.toFixed(1)} ms  p95 ${f.health.p95.toFixed(1)} ms`);
  console.log(`ratio (p50)      ${f.ratio.toFixed(1)}×`);
  console.log(`client JS for /  ${kb(f.jsGzipBytes)} gzipped (${kb(f.jsBytes)} raw, ${f.scripts} scripts)`);
  if (process.argv.includes("--pages")) {
    const small = await runPagesBench(100);
    const big = await runPagesBench(Number(process.argv.find((a) => a.startsWith("--apps="))?.slice(7) ?? 5000));
    console.log("\npage                  100 × 4: p50   HTML     |  5,000 × 4: p50   HTML   ratio");
    for (const [i, p] of small.entries()) {
      const q = big[i];
      if (!q) continue;
      console.log(
        `${p.route.padEnd(22)} ${p.p50.toFixed(1).padStart(7)} ms ${kb(p.htmlBytes).padStart(9)} | ${q.p50.toFixed(1).padStart(10)} ms ${kb(q.htmlBytes).padStart(9)} ${(q.p50 / p.p50).toFixed(1)}×`,
      );
    }
  }
  const misses = [
    f.home.p50 <= RENDER_TARGETS.p50Ms ? undefined : `p50 ${f.home.p50.toFixed(1)} ms > ${RENDER_TARGETS.p50Ms} ms`,
    f.jsGzipBytes <= RENDER_TARGETS.jsGzipBytes ? undefined : `client JS ${kb(f.jsGzipBytes)} > 200 KB`,
    f.errors === 0 ? undefined : `${f.errors} non-2xx answers`,
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
