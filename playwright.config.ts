import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { chromiumArgs, chromiumExecutable } from "./e2e/support/chromium";

// The config is evaluated in the runner and again in every worker; values
// picked here are stored in the environment so all of them agree.
function freePort(): string {
  return execFileSync(process.execPath, [
    "-e",
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ])
    .toString()
    .trim();
}
process.env.LADDER_E2E_PORT ??= freePort();
process.env.LADDER_E2E_GITHUB_PORT ??= freePort();
process.env.LADDER_E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), "ladder-e2e-"));

const port = Number(process.env.LADDER_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;
const isCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/e2e",
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  // One Ladder and one repository are shared: tests that change them run in order.
  workers: 1,
  fullyParallel: false,
  timeout: 45_000,
  reporter: [["list"], ["json", { outputFile: "reports/playwright.json" }]],
  globalSetup: "./e2e/global-setup.ts",
  // Fails the run if the GitHub stand-in recorded any OpenAPI violation (e2e/support/openapi-guard.ts).
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromiumExecutable, args: chromiumArgs },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  // The demo: the sample repository behind the GitHub-compatible server, the
  // embedded database and `next start` — what a newcomer runs, with the stand-in
  // strict: a request or response that breaks GitHub's OpenAPI description fails.
  webServer: {
    command: "node --import tsx cmd/demo/main.ts --strict-github",
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      LADDER_DATA_DIR: process.env.LADDER_E2E_DATA_DIR,
      LADDER_DEMO_GITHUB_PORT: process.env.LADDER_E2E_GITHUB_PORT,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
