import { expect, test } from "@playwright/test";

test("the dashboard shell renders on the embedded database", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();
  await expect(page.getByTestId("database-status")).toContainText(/Connected · \d+ migrations · 0 promotions recorded/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" })).toBeVisible();
  await testInfo.attach("home", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
});

test("the health endpoint reports the database", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: { ok: true } });
});

test("an unknown page is a 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to environments" }).click();
  await expect(page).toHaveURL(/\/$/);
});
