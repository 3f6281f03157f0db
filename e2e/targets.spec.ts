import { GATEWAY_TARGETS, sampleDigest } from "../cmd/demo/sample-repo";
import { expect, expectAccessible, expectChecksPass, test } from "./fixtures";

/** A target's version as the matrix writes it: the digest's first 7 hex characters. */
const version = (build: number) => sampleDigest("gateway", build).replace("sha256:", "").slice(0, 7);

test.describe("environments that fan out to clusters (gateway on the sample repository)", () => {
  test("the matrix sums each environment's clusters up and opens to one line per cluster", async ({ page }, testInfo) => {
    await page.goto("/");
    const staging = page.getByTestId("targets-gateway-staging");
    const prod = page.getByTestId("targets-gateway-prod");
    await expect(staging.locator("summary")).toContainText(`2 targets · all ${version(2)}`);
    await expect(prod.locator("summary")).toContainText(`2 of 3 on ${version(1)} · 1 on ${version(2)}`);
    // The cluster lines are hidden until asked for.
    await expect(prod.locator("li").first()).toBeHidden();
    await prod.locator("summary").click();
    await expect(prod.getByRole("listitem")).toHaveCount(GATEWAY_TARGETS.prod?.length ?? 0);
    const line = (cluster: string) => prod.getByRole("listitem").filter({ hasText: cluster });
    await expect(line("us-east-1")).toContainText("1.2.0");
    await expect(line("eu-west-1")).toContainText("1.1.0");
    await expect(line("ap-south-1")).toContainText("1.1.0");
    // Rows stay apps: no row named after a cluster.
    for (const cluster of GATEWAY_TARGETS.prod ?? []) await expect(page.getByRole("rowheader", { name: cluster })).toHaveCount(0);
    await expectAccessible(page);
    await testInfo.attach("matrix-targets", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  test("the app page lists what each cluster runs and where it is set", async ({ page }, testInfo) => {
    await page.goto("/apps/gateway");
    const prod = page.getByTestId("targets-prod");
    await expect(prod.getByRole("heading")).toHaveText(`Targets 2 of 3 on ${version(1)} · 1 on ${version(2)}`);
    const us = prod.getByRole("listitem").filter({ hasText: "us-east-1" });
    await expect(us).toContainText("set in apps/gateway/prod/us-east-1/kustomization.yaml");
    const eu = prod.getByRole("listitem").filter({ hasText: "eu-west-1" });
    await expect(eu).toContainText("set in apps/gateway/prod/base/kustomization.yaml");
    // The environment's own path is its shared base, which every cluster builds on; its timeline
    // follows what that base sets.
    const region = page.getByRole("region", { name: "prod" });
    await expect(region).toContainText("apps/gateway/prod/base");
    await expect(page.getByTestId("timeline-prod").getByRole("listitem").first()).toContainText("1.1.0");
    await expectAccessible(page);
    await testInfo.attach("app-targets", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

    await us.getByRole("link", { name: "compare" }).click();
    await expect(page).toHaveURL(/from=prod%2Feu-west-1&to=prod%2Fus-east-1/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/prod\/eu-west-1\s*→\s*prod\/us-east-1/);
    await expect(page.getByText("apps/gateway/prod/us-east-1/kustomization.yaml").first()).toBeVisible();
    await expectAccessible(page);
    await testInfo.attach("compare-targets", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  test("Promote into an environment with targets says which clusters the change reaches", async ({ page }, testInfo) => {
    // Preview only: the shared prod base moves from build 1 to staging's build 2; us-east-1's canary
    // already runs build 2 from its own overlay, so every cluster ends on build 2.
    await page.goto("/");
    await page.getByTestId("cell-gateway-prod").getByRole("button", { name: "Promote from staging: gateway to prod" }).click();
    const dialog = page.getByRole("dialog", { name: "Promote gateway to prod" });
    await expectChecksPass(dialog);
    const targets = dialog.getByTestId("promote-targets").getByRole("listitem");
    await expect(targets).toHaveCount(3);
    for (const name of ["eu-west-1", "us-east-1", "ap-south-1"])
      await expect(targets.filter({ hasText: name })).toHaveAttribute("data-reached", "yes");
    await expect(dialog.getByText("apps/gateway/prod/base/kustomization.yaml", { exact: true })).toBeVisible();
    await testInfo.attach("promote-targets", { body: await page.screenshot(), contentType: "image/png" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  test("a canary into one cluster: the cluster's own overlay, the others keep the shared pin", async ({ page }, testInfo) => {
    await page.goto("/");
    const cell = page.getByTestId("cell-gateway-prod");
    await cell.getByTestId("targets-gateway-prod").locator("summary").click();
    // us-east-1 already runs staging's build (its own canary): only the other two offer one.
    await expect(cell.getByRole("button", { name: /^Canary: promote gateway/ })).toHaveCount(2);
    await cell.getByRole("button", { name: "Canary: promote gateway from staging to prod/ap-south-1 only" }).click();
    const dialog = page.getByRole("dialog", { name: "Promote gateway to prod/ap-south-1 (canary)" });
    await expectChecksPass(dialog);
    await expect(dialog.getByText("apps/gateway/prod/ap-south-1/kustomization.yaml", { exact: true })).toBeVisible();
    const targets = dialog.getByTestId("promote-targets").getByRole("listitem");
    await expect(targets.filter({ hasText: "ap-south-1" })).toHaveAttribute("data-reached", "yes");
    await expect(targets.filter({ hasText: "eu-west-1" })).toHaveAttribute("data-reached", "no");
    await testInfo.attach("promote-canary", { body: await page.screenshot(), contentType: "image/png" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  test("an unknown target is a 404, like an unknown environment", async ({ page }) => {
    expect((await page.goto("/apps/gateway/compare?from=prod/eu-west-1&to=prod/nowhere"))?.status()).toBe(404);
  });
});
