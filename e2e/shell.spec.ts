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

test("robots.txt and the icons are served without sign-in; a page is not", async ({ request }) => {
  // The request fixture carries no session and asks for no HTML page, so the local user is not
  // signed in on the way: what answers 200 here answers anyone.
  const page = await request.get("/", { maxRedirects: 0 });
  expect(page.status()).toBe(303);
  expect(page.headers().location).toContain("/signin");

  const robots = await request.get("/robots.txt", { maxRedirects: 0 });
  expect(robots.status()).toBe(200);
  expect(robots.headers()["content-type"]).toContain("text/plain");
  expect(await robots.text()).toBe("User-agent: *\nDisallow: /\n");

  for (const [path, type] of [
    ["/apple-touch-icon.png", "image/png"],
    ["/favicon.ico", "image/"],
    ["/icon.svg", "image/svg+xml"],
  ] as const) {
    const icon = await request.get(path, { maxRedirects: 0 });
    expect(icon.status(), path).toBe(200);
    expect(icon.headers()["content-type"], path).toContain(type);
  }
  const png = await request.get("/apple-touch-icon.png");
  expect((await png.body()).subarray(1, 4).toString("latin1")).toBe("PNG");
});

test("pages link the apple-touch icon", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", "/apple-touch-icon.png");
});
