/**
 * `npm run demo -- --repo <path>` on someone's own repository: a git checkout with history and a
 * plain directory, each served as a private copy by its own demo (e2e/support/demo-process.ts).
 * Ladder runs on the copy as on the sample — matrix, compare, drift, history, the layout report —
 * a promotion opens a pull request on the copy and is merged on the copy's PR page, the suggested
 * ladder.yaml committed into the copy makes the layout "from ladder.yaml" with the same matrix,
 * and the source is byte-identical afterwards.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import {
  OWN_REPO_APPS,
  OWN_REPO_ENVIRONMENTS,
  ownRepoDigest,
  treeHash,
  writeOwnRepoDirectory,
  writeOwnRepoGit,
} from "../test/support/own-repo";
import { expect, expectChecksPass, test } from "./fixtures";
import { type DemoProcess, startDemo } from "./support/demo-process";

// Each test starts (and stops) a demo of its own: minutes, not the suite's 45 seconds.
test.describe.configure({ mode: "serial", timeout: 300_000 });

let work: string;
test.beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "ladder-e2e-own-src-"));
});
test.afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const short = (digest: string) => digest.slice(0, 19);

/** A browser context of its own: the other demo's session cookie (same host, other port) stays out. */
async function openPage(browser: Browser): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { page, close: () => context.close() };
}

/** Promote `app` into `to` from the matrix, merge the pull request on the copy's page, wait for MERGED. */
async function promoteAndMerge(page: Page, demo: DemoProcess, app: string, from: string, to: string): Promise<void> {
  const pullsBefore = (await demo.pulls()).length;
  await page.goto(`${demo.url}/`);
  await page
    .getByTestId(`cell-${app}-${to}`)
    .getByRole("button", { name: `Promote from ${from}: ${app} to ${to}` })
    .click();
  const dialog = page.getByRole("dialog", { name: `Promote ${app} to ${to}` });
  await expectChecksPass(dialog);
  await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
  await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });
  const pulls = await demo.pulls();
  expect(pulls).toHaveLength(pullsBefore + 1);
  const pr = pulls.at(-1);
  if (!pr) throw new Error("no pull request on the copy");
  await dialog.getByRole("button", { name: "Done" }).click();

  await page.goto(`${demo.url}/history`);
  const row = page.getByTestId("promotion-row").first();
  await expect(row).toHaveAttribute("data-status", "OPEN");
  // The link leads to the copy's pull request page on the demo's GitHub stand-in.
  const link = row.getByRole("link", { name: `#${pr.number}` });
  expect(await link.getAttribute("href")).toContain(demo.githubUrl);
  await link.click();
  await page.getByRole("button", { name: "Merge pull request" }).click();
  await expect(page.locator(".state")).toHaveText("merged");
  await expect(async () => {
    await page.goto(`${demo.url}/history`);
    await expect(page.getByTestId("promotion-row").first()).toHaveAttribute("data-status", "MERGED", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
}

/** Per app × environment: the digest the matrix shows. */
async function digests(page: Page, demo: DemoProcess): Promise<Record<string, string>> {
  await page.goto(`${demo.url}/`);
  const out: Record<string, string> = {};
  for (const app of OWN_REPO_APPS)
    for (const env of OWN_REPO_ENVIRONMENTS)
      out[`${app}/${env}`] = (await page.getByTestId(`cell-${app}-${env}`).getByTestId("digest").textContent()) ?? "";
  return out;
}

/** Per app × environment: the path, the images and the file and line that set each (the layout page). */
async function layoutCells(page: Page, demo: DemoProcess): Promise<Record<string, string>> {
  await page.goto(`${demo.url}/layout`);
  const out: Record<string, string> = {};
  for (const app of OWN_REPO_APPS)
    for (const env of OWN_REPO_ENVIRONMENTS) {
      const cell = page.getByTestId(`layout-cell-${app}-${env}`);
      // The path and the images columns: app, environment and file counts aside.
      out[`${app}/${env}`] =
        `${await cell.locator("td").nth(2).textContent()} | ${await cell.locator("td").nth(3).textContent()}`;
    }
  return out;
}

async function expectNoViolations(demo: DemoProcess): Promise<void> {
  expect(
    (await demo.violations()).map((v) => `${v.operationId} (${v.phase}): ${v.detail}`),
    "OpenAPI violations on the copy's stand-in",
  ).toEqual([]);
}

test("a git checkout with history: matrix, compare, layout, promote and merge on the copy, the suggested ladder.yaml; the checkout untouched", async ({
  browser,
}, testInfo) => {
  const source = path.join(work, "shop-deploy");
  await writeOwnRepoGit(source, { branch: "next" });
  const before = await treeHash(source);
  const demo = await startDemo(["--repo", source]);
  const { page, close } = await openPage(browser);
  try {
    expect(demo.output()).toContain(
      `Serving a private copy of ${await realpath(source)} (all 7 commits of main); your checkout is never written to.`,
    );

    // The matrix, as on the sample: catalog 1.3.0 waits for prod, mailer 0.2.1 for staging.
    await page.goto(`${demo.url}/`);
    await expect(page.getByRole("heading", { name: "Environments", exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "local/shop-deploy" })).toBeVisible();
    await expect(page.getByTestId("cell-catalog-prod").getByTestId("digest")).toHaveText(short(ownRepoDigest("catalog", 2)));
    await expect(page.getByTestId("cell-catalog-staging").getByTestId("digest")).toHaveText(short(ownRepoDigest("catalog", 3)));
    await expect(page.getByTestId("cell-mailer-dev").getByTestId("digest")).toHaveText(short(ownRepoDigest("mailer", 2)));
    await testInfo.attach("own-repo-matrix", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

    // Compare and drift read the copy too.
    await page.goto(`${demo.url}/apps/catalog/compare?from=staging&to=prod`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("staging");
    await expect(page.getByRole("heading", { name: "What differs" })).toBeVisible();
    expect((await page.goto(`${demo.url}/drift`))?.status()).toBe(200);

    // The layout report: detected, what was guessed, which file sets each image, the ladder.yaml to commit.
    await page.goto(`${demo.url}/layout`);
    await expect(page.getByTestId("layout-source")).toContainText("detected — no ladder.yaml");
    await expect(page.getByTestId("layout-guessed")).toContainText("deploy/catalog/envs");
    await expect(page.getByTestId("layout-cell-catalog-prod")).toContainText(
      "set in deploy/catalog/envs/prod/kustomization.yaml:",
    );
    await expect(page.getByTestId("layout-cell-mailer-staging")).toContainText("helm/mailer/values-staging.yaml");
    const suggested = page.getByTestId("suggested-ladder-yaml");
    await expect(suggested).toContainText("# ladder.yaml written by Ladder from the layout it detected");
    await expect(suggested).toContainText("path: deploy/catalog/envs/{env}");
    await expect(page.getByRole("button", { name: "Copy ladder.yaml" })).toBeVisible();
    await expect(page.getByTestId("ladder-yaml-notes")).toHaveCount(0);
    await testInfo.attach("own-repo-layout", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
    const ladderYaml = (await suggested.textContent()) ?? "";

    // Promote on the copy, merge on the copy's pull request page; the matrix moves.
    await promoteAndMerge(page, demo, "catalog", "staging", "prod");
    await expect(async () => {
      await page.goto(`${demo.url}/`);
      await expect(page.getByTestId("cell-catalog-prod").getByTestId("digest")).toHaveText(short(ownRepoDigest("catalog", 3)), {
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });

    // The suggested ladder.yaml, committed into the copy: the layout is now stated, the matrix the same.
    const matrixBefore = await digests(page, demo);
    const cellsBefore = await layoutCells(page, demo);
    await demo.commit({ "ladder.yaml": ladderYaml }, "Add the ladder.yaml Ladder suggested");
    await expect(async () => {
      await page.goto(`${demo.url}/layout`);
      await expect(page.getByTestId("layout-source")).toContainText("from ladder.yaml", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(page.getByTestId("layout-guessed")).toHaveCount(0);
    expect(await layoutCells(page, demo)).toEqual(cellsBefore);
    expect(await digests(page, demo)).toEqual(matrixBefore);

    await expectNoViolations(demo);
  } finally {
    await close();
    await demo.stop();
  }
  expect(await treeHash(source), "the source checkout, .git included, after the demo").toBe(before);
});

test("a plain directory: one commit, promote and merge on the copy; the directory untouched", async ({ browser }) => {
  const source = path.join(work, "plain-deploy");
  await writeOwnRepoDirectory(source);
  const before = await treeHash(source);
  const demo = await startDemo(["--repo", source]);
  const { page, close } = await openPage(browser);
  try {
    expect(demo.output()).toMatch(
      /Serving a private copy of .*plain-deploy \(one commit of its \d+ files, 1 left out, as branch main\); your directory is never written to\./,
    );
    await page.goto(`${demo.url}/`);
    await expect(page.getByRole("link", { name: "local/plain-deploy" })).toBeVisible();
    await expect(page.getByTestId("cell-catalog-prod").getByTestId("digest")).toHaveText(short(ownRepoDigest("catalog", 2)));

    await promoteAndMerge(page, demo, "mailer", "dev", "staging");
    await expect(async () => {
      await page.goto(`${demo.url}/`);
      await expect(page.getByTestId("cell-mailer-staging").getByTestId("digest")).toHaveText(short(ownRepoDigest("mailer", 2)), {
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });

    await page.goto(`${demo.url}/layout`);
    await expect(page.getByTestId("layout-source")).toContainText("detected — no ladder.yaml");
    await expect(page.getByTestId("suggested-ladder-yaml")).toContainText("path: helm/mailer/values-{env}.yaml");
    await expectNoViolations(demo);
  } finally {
    await close();
    await demo.stop();
  }
  expect(await treeHash(source), "the source directory after the demo").toBe(before);
});

test("an unreadable layout shows the detection report and its warnings, not an empty page", async ({ browser }) => {
  const source = path.join(work, "odd-layout");
  await mkdir(path.join(source, "stuff"), { recursive: true });
  await writeFile(path.join(source, "README.md"), "# nothing Ladder knows\n");
  await writeFile(path.join(source, "stuff", "broken.yaml"), "apiVersion: v1\nkind: [unclosed\n");
  const before = await treeHash(source);
  const demo = await startDemo(["--repo", source]);
  const { page, close } = await openPage(browser);
  try {
    await page.goto(`${demo.url}/layout`);
    await expect(page.getByTestId("layout-empty")).toBeVisible();
    await expect(page.getByTestId("layout-source")).toContainText("0 apps");
    await expect(page.getByTestId("ladder-yaml-notes")).toContainText("no app");
    await expectNoViolations(demo);
  } finally {
    await close();
    await demo.stop();
  }
  expect(await treeHash(source)).toBe(before);
});
