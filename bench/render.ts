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

export const RENDER_TARGETS = { p50Ms: 50, jsGzipBytes: 200 * 1024 };

async function timeSequential(
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
