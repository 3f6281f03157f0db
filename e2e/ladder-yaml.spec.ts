import { expect, test } from "./fixtures";

/**
 * A typo in ladder.yaml must not remove every policy (the security issue's first finding): the
 * matrix keeps the last valid layout under an unfolded red banner, and Promote is refused with
 * the file, line and error. The original file is restored afterwards, whatever happened.
 */
test("an invalid ladder.yaml is a red banner, and Promote refuses naming the file and line", async ({
  page,
  github,
}, testInfo) => {
  const original = await github.file("ladder.yaml", "main");
  expect(original).toContain("    format: kustomize\n");
  try {
    const broken = await github.commit(
      { "ladder.yaml": original.replace("    format: kustomize\n", "    format: kustomise\n") },
      "ladder.yaml: one letter wrong",
    );
    const banner = page.getByTestId("ladder-yaml-invalid");
    // The push webhook drops the cached head; a reload then scans the new commit.
    await expect(async () => {
      await page.goto("/");
      await expect(banner).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(banner).toContainText(`ladder.yaml at ${broken.slice(0, 7)} is invalid`);
    await expect(banner).toContainText("refused until it is fixed");
    await expect(banner).toContainText("apps.0.format");
    await expect(banner).toContainText("the layout of the last valid ladder.yaml");
    await expect(page.getByText("No ladder.yaml")).toHaveCount(0);
    // The rows and columns stay what ladder.yaml said: no environment invented from a chart's values.yaml.
    await expect(page.getByRole("columnheader", { name: /^default/ })).toHaveCount(0);
    await expect(page.getByTestId("cell-api-prod")).toBeVisible();
    await testInfo.attach("invalid-ladder-yaml", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

    await page
      .getByTestId("cell-api-prod")
      .getByRole("button", { name: /^Promote from staging/ })
      .click();
    const dialog = page.getByRole("dialog", { name: "Promote api to prod" });
    const refusal = dialog.getByTestId("checks").locator('[data-status="fail"]').first();
    await expect(refusal).toContainText("ladder.yaml");
    await expect(refusal).toContainText(/ladder\.yaml at [0-9a-f]{7} is invalid: ladder\.yaml:\d+: .*refused until it is fixed/);
    await expect(dialog.getByRole("button", { name: "Refused by policy" })).toBeDisabled();
    await testInfo.attach("invalid-ladder-yaml-dialog", { body: await page.screenshot(), contentType: "image/png" });
  } finally {
    await github.commit({ "ladder.yaml": original }, "ladder.yaml: fixed");
  }
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("ladder-yaml-invalid")).toHaveCount(0, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
});

/**
 * `viewers` is decided before any page streams, loading states included: someone outside it gets
 * a real 403 on every page (never a 200 carrying a skeleton), and the page names the rule.
 */
test("a user outside ladder.yaml's viewers gets a real 403 on every page", async ({ page, github }) => {
  const original = await github.file("ladder.yaml", "main");
  try {
    await github.commit(
      { "ladder.yaml": original.replace("version: 1\n", "version: 1\nviewers: [someone-else]\n") },
      "ladder.yaml: viewers",
    );
    await expect(async () => {
      expect((await page.goto("/"))?.status()).toBe(403);
    }).toPass({ timeout: 30_000 });
    for (const target of ["/apps/api", "/apps/api/compare?from=staging&to=prod", "/apps/gateway", "/drift", "/history"])
      expect((await page.goto(target))?.status(), target).toBe(403);
    await expect(page.locator("code", { hasText: "viewers" }).first()).toBeVisible();
  } finally {
    await github.commit({ "ladder.yaml": original }, "ladder.yaml: viewers restored");
  }
  await expect(async () => {
    expect((await page.goto("/"))?.status()).toBe(200);
  }).toPass({ timeout: 30_000 });
});
