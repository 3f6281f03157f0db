/**
 * The load generator in its own process, so that neither the GitHub server nor the background
 * promotions share its event loop and distort what it measures. Argument: JSON
 * { url, connections, seconds, apps, headers }. Prints one JSON line: autocannon's totals and
 * the exact latency percentiles of every response.
 */
import autocannon from "autocannon";

interface ViewerOptions {
  url: string;
  connections: number;
  seconds: number;
  apps: number;
  headers: Record<string, string>;
}

const options = JSON.parse(process.argv[2] ?? "{}") as ViewerOptions;
const app = (i: number) => `app-${String(i % options.apps).padStart(3, "0")}`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function main(): Promise<void> {
  let cursor = 0;
  const samples: number[] = [];
  const byRoute: Record<string, number> = {};
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    headers: options.headers,
    requests: [
      { method: "GET", path: "/" },
      { method: "GET", path: "/history" },
      { method: "GET", setupRequest: (request) => ({ ...request, path: `/apps/${app(cursor++)}/compare` }) },
    ],
  });
  (instance as unknown as autocannon.Instance).on("response", (_client, status, _bytes, responseTime) => {
    samples.push(responseTime);
    const key = String(status);
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  });
  const result = await instance;
  samples.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      requests: result.requests.total,
      status: { "2xx": result["2xx"], "3xx": result["3xx"], "4xx": result["4xx"], "5xx": result["5xx"] },
      statusCodes: byRoute,
      errors: result.errors,
      timeouts: result.timeouts,
      latency: {
        p50: percentile(samples, 50),
        p95: percentile(samples, 95),
        p99: percentile(samples, 99),
        max: samples.at(-1) ?? Number.NaN,
      },
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
