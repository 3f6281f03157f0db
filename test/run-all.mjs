#!/usr/bin/env node
// `npm test`: every check Ladder has, in the order that fails fastest on a
// 2-core machine, then one plain summary line computed from the runners' JSON
// reports (CI reads that line, not the runners' own summaries). Every step
// runs even after a failure, so one run shows everything that is broken.
// What counts as failed is decided in summary.mjs: a failed step, a file that
// did not load, a missing report or a run with no test are all failures there.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { summarise, summaryLines } from "./summary.mjs";

const reports = "reports";
mkdirSync(reports, { recursive: true });

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const only = process.argv.slice(2);

const steps = [
  ["generate", "npx", ["prisma", "generate"]],
  ["lint", "npx", ["biome", "check", "."]],
  ["typecheck", "npx", ["tsc", "--noEmit", "-p", "."]],
  [
    "unit",
    "npx",
    [
      "vitest",
      "run",
      "--project",
      "unit",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reports}/vitest-unit.json`,
    ],
    "vitest",
    `${reports}/vitest-unit.json`,
  ],
  ["build", "npm", ["run", "build"]],
  [
    "integration",
    "npx",
    [
      "vitest",
      "run",
      "--project",
      "integration",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reports}/vitest-integration.json`,
    ],
    "vitest",
    `${reports}/vitest-integration.json`,
  ],
  // playwright.config.ts's json reporter writes this path.
  ["e2e", "npx", ["playwright", "test"], "playwright", `${reports}/playwright.json`],
];

// A misspelt step name would otherwise run nothing and report success.
const unknown = only.filter((n) => !steps.some(([name]) => name === n));
if (unknown.length) {
  console.error(`Unknown step(s): ${unknown.join(", ")}; steps are ${steps.map(([name]) => name).join(", ")}`);
  process.exit(2);
}

const ran = [];
const reportFiles = {};
for (const [name, command, args, format, report] of steps) {
  if (only.length && !only.includes(name)) continue;
  // Only this step's own report goes: one left by an earlier run must not stand in for a missing one.
  if (report) rmSync(report, { force: true });
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  const exit = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
  ran.push({ name, ok, exit, format, report });
  if (report) reportFiles[report] = readJson(report);
  console.log(`=== ${name}: ${ok ? "ok" : `FAILED (${exit})`} in ${seconds}s`);
}

function readJson(file) {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

const summary = summarise({ steps: ran, reports: reportFiles });
if (!ran.some((s) => s.format)) console.log("\nNo test step ran.");
console.log(`\n${summaryLines(summary).join("\n")}`);
process.exit(summary.failed > 0 ? 1 : 0);
