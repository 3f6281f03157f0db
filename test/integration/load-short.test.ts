/**
 * The load test in its short mode (bench/load.ts: 10 viewers × 5 s on /, /history and
 * /apps/<app>/compare of a 100 apps × 4 environments repository, while a replica promotes and
 * webhooks arrive): the production server answers every request, none with a 5xx. The full run
 * is `npm run bench:load`. Needs the production build, which `npm test` makes first; run by hand
 * under the shared build lock: `flock -s /tmp/ladder-build.lock npx vitest run test/integration/load-short.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { LOAD_SHORT, runLoadBench } from "../../bench/load";
import { hasBuild } from "../../bench/support/ladder-stack";

describe.skipIf(!hasBuild())("load, short mode", () => {
  it("serves viewers during promotions and webhooks with zero 5xx and non-zero throughput", async () => {
    const f = await runLoadBench(LOAD_SHORT);
    console.log(
      `load-short: ${f.throughput.toFixed(1)} req/s, p50 ${f.latency.p50} ms, p99 ${f.latency.p99} ms, ` +
        `2xx ${f.status["2xx"]}, 5xx ${f.status["5xx"]}, ${f.promotions.opened} promotions, ${f.webhooks.sent} webhooks, ` +
        `${f.githubPerMinute.toFixed(0)} GitHub req/min, RSS ${((f.serverRssBytes ?? 0) / 1024 ** 2).toFixed(0)} MB`,
    );
    expect(f.requests).toBeGreaterThan(0);
    expect(f.throughput).toBeGreaterThan(0);
    expect(f.status["5xx"]).toBe(0);
    expect(f.errors).toBe(0);
    expect(f.timeouts).toBe(0);
    expect(f.status["2xx"]).toBe(f.requests);
    expect(f.webhooks.failed).toBe(0);
    expect(f.violations).toBe(0);
  });
});
