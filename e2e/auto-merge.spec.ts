/**
 * ladder.yaml `autoMerge: true` in Chromium (#14 item 5): on a demo of its own (a small repository
 * whose staging merges by itself, so the sample repository and the other specs are untouched), the
 * GitHub stand-in protects main (one approval, the `ci/test` status). A promotion opened from the
 * matrix shows its review and check status in the matrix, in history and in the drawer, follows
 * the review and status webhooks, and once the check passes Ladder merges it itself: MERGED, the
 * audit trail names Ladder, and the matrix shows the new digest in staging.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, expectChecksPass, test } from "./fixtures";
import { type DemoProcess, startDemo } from "./support/demo-process";

// A demo of its own: minutes, not the suite's 45 seconds.
test.describe.configure({ mode: "serial", timeout: 300_000 });

const digest = (build: number) => `sha256:${createHash("sha256").update(`auto-merge/shop/${build}`).digest("hex")}`;
const short = (d: string) => d.slice(0, 19);

const overlay = (env: string, build: number) =>
  [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    `namespace: shop-${env}`,
    "resources:",
    "  - ../../base",
    "images:",
    "  - name: registry.example.org/acme/shop",
    `    newTag: "1.${build}.0"`,
    `    digest: ${digest(build)}`,
    "",
  ].join("\n");

/** dev runs build 2, staging build 1; staging merges its promotions by itself. */
const files: Record<string, string> = {
  "ladder.yaml": [
    "version: 1",
    "environments:",
    "  - dev",
    "  - name: staging",
    "    autoMerge: true",
    "apps:",
    "  - path: apps/{app}/overlays/{env}",
    "",
  ].join("\n"),
  "apps/shop/base/kustomization.yaml":
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n",
  "apps/shop/base/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: shop",
    "spec:",
    "  selector:",
    "    matchLabels: { app: shop }",
    "  template:",
    "    metadata:",
    "      labels: { app: shop }",
    "    spec:",
    "      containers:",
    "        - name: shop",
    "          image: registry.example.org/acme/shop:latest",
    "",
  ].join("\n"),
  "apps/shop/overlays/dev/kustomization.yaml": overlay("dev", 2),
  "apps/shop/overlays/staging/kustomization.yaml": overlay("staging", 1),
};

let work: string;
let demo: DemoProcess;

test.beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "ladder-e2e-auto-merge-"));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await writeFile(path.join(work, file), text);
  }
  demo = await startDemo(["--repo", work]);
});

test.afterAll(async () => {
  await demo?.stop();
  await rm(work, { recursive: true, force: true });
});

/** The second demo's GitHub stand-in, over its control API. */
async function control(route: string, body: unknown): Promise<void> {
  const response = await fetch(`${demo.githubUrl}/_control/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${route}: ${response.status} ${await response.text()}`);
}

test("auto-merge merges once the required check passes on the GitHub stand-in", async ({ browser }, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await control("protection", { rule: { requiredApprovingReviews: 1, requiredChecks: ["ci/test"] } });

    await page.goto(`${demo.url}/`);
    await page.getByTestId("cell-shop-staging").getByRole("button", { name: "Promote from dev: shop to staging" }).click();
    const dialog = page.getByRole("dialog", { name: "Promote shop to staging" });
    await expectChecksPass(dialog);
    await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
    await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });
    await dialog.getByRole("button", { name: "Done" }).click();
    const pr = (await demo.pulls()).at(-1);
    if (!pr) throw new Error("no pull request on the stand-in");

    // A reviewer approves on "GitHub": the pull_request_review webhook brings the status to Ladder.
    await control(`pulls/${pr.number}/review`, { user: "alice", event: "APPROVE" });
    await expect(async () => {
      await page.goto(`${demo.url}/history`);
      await expect(page.getByTestId("promotion-row").first()).toContainText("OPEN · 1 of 1 approval · checks pending", {
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });
    await testInfo.attach("history-checks-pending", {
      body: await page.screenshot({ fullPage: true }),
      contentType: "image/png",
    });

    // CI starts: still pending, so nothing merges.
    await control("statuses", { pull: pr.number, context: "ci/test", state: "pending" });
    await page.goto(`${demo.url}/`);
    await expect(page.getByTestId("open-promotion-shop-staging")).toContainText(
      `PR #${pr.number} · OPEN · 1 of 1 approval · checks pending · auto-merge`,
    );
    await page.goto(`${demo.url}/history`);
    await page
      .getByRole("button", { name: /^Details of shop/ })
      .first()
      .click();
    await expect(page.getByTestId("drawer-reviews")).toContainText("approved by alice (1 required)");
    await expect(page.getByTestId("drawer-checks")).toContainText("ci/test: pending (required)");
    await page.getByRole("button", { name: "Close" }).click();
    expect((await demo.pulls()).find((p) => p.number === pr.number)?.state).toBe("open");

    // CI passes: GitHub now calls the pull request clean, and Ladder merges it itself.
    await control("statuses", { pull: pr.number, context: "ci/test", state: "success" });
    await expect(async () => {
      await page.goto(`${demo.url}/history`);
      await expect(page.getByTestId("promotion-row").first()).toHaveAttribute("data-status", "MERGED", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    expect((await demo.pulls()).find((p) => p.number === pr.number)).toMatchObject({ state: "closed", merged: true });

    await page
      .getByRole("button", { name: /^Details of shop/ })
      .first()
      .click();
    const trail = page.getByTestId("event-trail");
    await expect(trail).toContainText("promotion.auto-merged");
    await expect(trail).toContainText("promotion.merged");
    await expect(trail.locator("li", { hasText: "promotion.auto-merged" })).toContainText("by ladder");
    await testInfo.attach("history-auto-merged", { body: await page.screenshot(), contentType: "image/png" });

    await page.goto(`${demo.url}/`);
    await expect(page.getByTestId("cell-shop-staging").getByTestId("digest")).toHaveText(short(digest(2)));
    await expect(page.getByTestId("open-promotion-shop-staging")).toHaveCount(0);

    expect(
      (await demo.violations()).map((v) => `${v.operationId} (${v.phase}): ${v.detail}`),
      "OpenAPI violations on this demo's stand-in",
    ).toEqual([]);
  } finally {
    await context.close();
  }
});
