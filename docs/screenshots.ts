/**
 * `npm run screenshots`: regenerates the README's pictures from the current
 * code. Starts the demo in a throwaway data directory, drives it in Chromium
 * (matrix, compare, the Promote dialog, history after a merge) and writes
 * docs/images/*.png; then, when ../shared/fixtures/real-gitops is there, runs
 * `npm run demo -- --repo` on one of those real repositories and writes
 * own-repo.png (its matrix) and own-repo-layout.png (what Ladder detected).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { freePort } from "../cmd/launcher/port";
import { chromiumArgs, chromiumExecutable } from "../e2e/support/chromium";

const out = path.resolve("docs", "images");

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error("the demo exited before it was ready");
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the demo did not become healthy in 3 minutes");
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage });
  console.log(`wrote docs/images/${name}.png`);
}

/**
 * Runs the demo (lenient: this is for a person's pictures, not a test) with `args` in a throwaway
 * data directory on free ports, opens a light 1280 × 820 page, and stops and removes it all after.
 */
async function withDemo(
  args: readonly string[],
  prefix: string,
  drive: (page: Page, url: string) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demo = spawn(process.execPath, ["--import", "tsx", "cmd/demo/main.ts", ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      LADDER_DATA_DIR: dataDir,
      LADDER_DEMO_GITHUB_PORT: String(await freePort()),
    },
    stdio: "inherit",
  });
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
  try {
    await waitForHealth(url, demo);
    await drive(await browser.newPage({ viewport: { width: 1280, height: 820 }, colorScheme: "light" }), url);
  } finally {
    await browser.close();
    demo.kill("SIGINT");
    await new Promise((r) => demo.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The real repository the README shows Ladder on, as `npm run demo -- --repo` serves it. */
const OWN_REPO = path.resolve("..", "shared", "fixtures", "real-gitops", "kostis-codefresh__gitops-environment-promotion");

async function ownRepoShots(): Promise<void> {
  if (!existsSync(OWN_REPO)) {
    console.log(`skipped own-repo.png: ${OWN_REPO} is not there`);
    return;
  }
  await withDemo(["--repo", OWN_REPO], "ladder-shots-own-", async (page, url) => {
    await page.goto(url);
    await page.locator('[data-testid^="cell-"]').first().waitFor();
    await shot(page, "own-repo");
    await page.goto(`${url}/layout`);
    await page.getByTestId("layout-source").waitFor();
    await shot(page, "own-repo-layout", true);
  });
}

async function main(): Promise<void> {
  await withDemo([], "ladder-shots-", async (page, url) => {
    await page.goto(url);
    await page.getByTestId("cell-api-prod").waitFor();
    await shot(page, "matrix");
    await page.goto(`${url}/apps/web/compare?from=staging&to=prod`);
    await page.getByTestId("semantic-change").first().waitFor();
    await shot(page, "compare");
    await page.goto(url);
    await page.getByRole("button", { name: "Promote from staging: api to prod" }).click();
    await page.getByTestId("checks").waitFor();
    await shot(page, "promote-dialog");
    await page.getByRole("button", { name: "Confirm and open pull request" }).click();
    await page.getByTestId("promote-result").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Done" }).click();
    await page.goto(`${url}/history`);
    const row = page.getByTestId("promotion-row").first();
    await row.getByRole("link", { name: /^#\d+$/ }).click();
    await page.getByRole("button", { name: "Merge pull request" }).click();
    await page.waitForTimeout(1500);
    await page.goto(`${url}/history`);
    await page.getByTestId("promotion-row").first().waitFor();
    await page.getByTestId("lead-time").waitFor();
    await page.waitForTimeout(500);
    await shot(page, "history");
  });
}

main()
  .then(ownRepoShots)
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
