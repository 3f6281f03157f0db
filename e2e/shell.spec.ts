import { expect, test } from "./fixtures";

test("the health endpoint reports the database and GitHub to a signed-in user", async ({ page }) => {
  // Details need a session (the local user signs in on the first page load); strangers get up/down only.
  await page.goto("/");
  const response = await page.request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({
    status: "ok",
    database: { ok: true },
    github: { ok: true, repository: "acme/gitops" },
  });
});

test("an unknown page is a 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to environments" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("the theme toggle switches to dark and remembers it", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
  const dark = await page.evaluate(() => document.documentElement.classList.contains("dark"));
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(dark);
});
