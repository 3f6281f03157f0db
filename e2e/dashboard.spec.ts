import { sampleDigest } from "../cmd/demo/sample-repo";
import { expect, expectAccessible, test } from "./fixtures";

const short = (app: string, build: number) => sampleDigest(app, build).slice(0, 19);

test.describe("dashboard on the sample repository", () => {
  test("the matrix shows what each environment runs and what waits", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();
    await expect(page.getByRole("link", { name: "acme/gitops" })).toBeVisible();
    const cell = (app: string, env: string) => page.getByTestId(`cell-${app}-${env}`);
    await expect(cell("api", "dev").getByTestId("digest")).toHaveText(short("api", 3));
    await expect(cell("api", "staging").getByTestId("digest")).toHaveText(short("api", 3));
    await expect(cell("api", "prod").getByTestId("digest")).toHaveText(short("api", 2));
    await expect(cell("api", "staging")).toContainText("same as dev");
    await expect(cell("api", "prod")).toContainText("differs from staging");
    await expect(cell("api", "prod").getByRole("button", { name: "Promote from staging: api to prod" })).toBeVisible();
    await expect(cell("api", "dev").getByRole("button", { name: /Promote/ })).toHaveCount(0);
    await expect(cell("worker", "dev")).toContainText("tag only");
    await expect(cell("worker", "staging")).toContainText("dev runs a tag only");
    await expect(cell("web", "prod")).toContainText("1 drift");
    await expect(cell("payments", "dev")).toContainText("2.5.0");
    await expect(cell("api", "prod")).toContainText("Bob Chen");
    // Hover titles come with hydration (the server's markup leaves them out): the full reference.
    await expect(cell("api", "prod").getByTestId("tag")).toHaveAttribute("title", new RegExp(`@${sampleDigest("api", 2)}$`));
    await expect(cell("api", "prod").getByText("pinned", { exact: true })).toHaveAttribute("title", /Pinned by digest/);
    await expectAccessible(page);
    await testInfo.attach("matrix", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  test("search and filter narrow the matrix through the URL", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("searchbox", { name: "Search apps and images" }).fill("pay");
    await expect(page).toHaveURL(/q=pay/);
    await expect(page.getByRole("rowheader")).toHaveText([/payments/]);
    await page.goto("/?filter=waiting");
    // gateway waits too: prod's base still runs the build staging moved past.
    await expect(page.getByRole("rowheader")).toHaveText([/api/, /payments/, /gateway/]);
  });

  test("arrow keys move between cells", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "api", exact: true }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("cell-api-dev").getByRole("button").first()).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByTestId("cell-web-dev").getByRole("button").first()).toBeFocused();
  });

  test("the compare view shows changed lines and the semantic summary", async ({ page }, testInfo) => {
    await page.goto("/apps/web/compare?from=staging&to=prod");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/staging\s*→\s*prod/);
    const drift = page.locator('[data-testid="semantic-change"][data-classification="drift"]');
    await expect(drift).toHaveCount(1);
    await expect(drift).toContainText("FEATURE_CHECKOUT_V2");
    await expect(page.locator('[data-testid="semantic-change"][data-classification="expected"]')).toContainText("spec.replicas");
    await expect(page.getByText("apps/web/overlays/prod/kustomization.yaml")).toBeVisible();
    await expect(page.getByText("name: FEATURE_CHECKOUT_V2").first()).toBeVisible();
    await expectAccessible(page);
    await testInfo.attach("compare", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

    await page.getByRole("link", { name: "Rendered" }).click();
    await expect(page.getByText("kustomize build (prod)")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText("FEATURE_CHECKOUT_V2").first()).toBeVisible();
  });

  test("drift lists the seeded drift and links to the comparison", async ({ page }, testInfo) => {
    await page.goto("/drift");
    const rows = page.getByTestId("drift-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("web");
    await expect(rows.first()).toContainText("FEATURE_CHECKOUT_V2");
    await expectAccessible(page);
    await testInfo.attach("drift", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
    await rows.first().getByRole("link", { name: "staging → prod" }).click();
    await expect(page).toHaveURL(/\/apps\/web\/compare\?from=staging&to=prod/);
  });

  test("the app page shows each environment's digest timeline", async ({ page }, testInfo) => {
    await page.goto("/apps/api");
    const prod = page.getByTestId("timeline-prod");
    await expect(prod.getByRole("listitem")).toHaveCount(2);
    await expect(prod.getByRole("listitem").first()).toContainText("Promote api 1.2.0 to prod");
    await expect(prod.getByRole("listitem").first()).toContainText("running now");
    await expectAccessible(page);
    await testInfo.attach("app", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  test("unknown apps and environments are not found, not errors", async ({ page }) => {
    expect((await page.goto("/apps/nope"))?.status()).toBe(404);
    expect((await page.goto("/apps/api/compare?from=dev&to=qa"))?.status()).toBe(404);
    expect((await page.goto("/apps/..%2F..%2Fetc"))?.status()).toBe(404);
  });

  test("a push shows up without a manual reload", async ({ page, github }) => {
    await page.goto("/");
    const before = await github.head();
    await expect(page.getByTestId("head")).toContainText(before.slice(0, 7));
    const readme = "# acme/gitops\n\nDeployment configuration, promoted with Ladder.\n";
    const after = await github.commit({ "README.md": readme }, "docs: shorter readme");
    // The push webhook drops the cached head; the dashboard's poll then sees the new commit.
    await expect(page.getByTestId("head")).toContainText(after.slice(0, 7), { timeout: 25_000 });
  });
});
