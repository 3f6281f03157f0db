#!/usr/bin/env node
// `npm test`: every check Ladder has, in the order that fails fastest on a
// 2-core machine, then one plain summary line computed from the runners' JSON
// reports (CI reads that line, not the runners' own summaries). Every step
// runs even after a failure, so one run shows everything that is broken.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const reports = "reports";
rmSync(reports, { recursive: true, force: true });
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
  ],
  ["e2e", "npx", ["playwright", "test"]],
];

const failedSteps = [];
for (const [name, command, args] of steps) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) failedSteps.push(name);
  console.log(`=== ${name}: ${result.status === 0 ? "ok" : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds}s`);
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of [`${reports}/vitest-unit.json`, `${reports}/vitest-integration.json`]) {
  const report = readJson(file);
  if (!report) continue;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
const pw = readJson(`${reports}/playwright.json`);
if (pw) {
  passed += pw.stats.expected + pw.stats.flaky;
  failed += pw.stats.unexpected;
  skipped += pw.stats.skipped;
}

if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
const ranNothing = passed + failed === 0;
if (ranNothing) console.log("No test ran.");
process.exit(failedSteps.length || failed || ranNothing ? 1 : 0);
