/**
 * Attacks on the running demo (local sign-in as "demo"), each of which must fail. Proxy-mode
 * forgery and GitHub sign-in are covered against real HTTP servers in
 * test/integration/security-*.test.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

const DEMO_TOKEN = "ladder-demo-token";
const dataDir = () => process.env.LADDER_E2E_DATA_DIR ?? "";
const demoSecrets = () => [
  DEMO_TOKEN,
  readFileSync(path.join(dataDir(), "demo", "webhook-secret"), "utf8").trim(),
  readFileSync(path.join(dataDir(), "demo", "auth-secret"), "utf8").trim(),
];

/** Records CSP violations and the XSS canary from the first script on every page. */
async function watch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

/** A GET with a Host header of the caller's choosing, as a DNS-rebinding page's requests arrive. */
function getWithHost(baseURL: string, target: string, host: string, cookie?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = cookie ? { host, cookie } : { host };
    http
      .get(new URL(target, baseURL), { headers }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

test.describe("security", () => {
  test("pages carry a strict CSP and the security headers, and render without violations", async ({ page }) => {
    await watch(page);
    const response = await page.goto("/");
    const headers = response?.headers() ?? {};
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src [^;]*'nonce-/);
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src [^;]*'unsafe-inline'/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["permissions-policy"]).toContain("camera=()");
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
    expect(await violations(page)).toEqual([]);

    // The compare page's diff view injects styles at run time (emotion): still no violations.
    await page.goto("/apps/web/compare?from=staging&to=prod");
    await expect(page.getByText("name: FEATURE_CHECKOUT_V2").first()).toBeVisible();
    await page.goto("/apps/api");
    await expect(page.getByTestId("timeline-prod")).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });

  test("a cross-site POST to a route handler or a server action is refused", async ({ page, request, baseURL }) => {
    for (const target of ["/api/head", "/api/auth/sign-out", "/"]) {
      const response = await request.post(target, {
        headers: { origin: "https://evil.example", "next-action": "0000000000000000000000000000000000000000" },
        data: "x=1",
        maxRedirects: 0,
      });
      expect(response.status(), target).toBe(403);
    }
    // The same from a real attacker page in the browser: an auto-submitting form that would
    // sign the victim out. The victim stays signed in.
    await page.goto("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
    await page.route("http://evil.example/", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<form id="f" method="POST" action="${baseURL}/api/auth/sign-out"></form><script>document.getElementById("f").submit()</script>`,
      }),
    );
    const refused = page.waitForResponse((r) => r.url().endsWith("/api/auth/sign-out"));
    await page.goto("http://evil.example/");
    expect((await refused).status()).toBe(403);
    await page.goto("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
  });

  test("a tampered session cookie is not a session", async ({ browser, baseURL }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.endsWith(".session_token"));
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    if (!session) throw new Error("no session cookie");
    const [token = "", signature = ""] = decodeURIComponent(session.value).split(".");
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}.${signature}`;
    await context.clearCookies();
    // Opt out of the local auto sign-in, so only the cookie could sign this browser in.
    await context.addCookies([
      { ...session, value: encodeURIComponent(flipped) },
      { name: "ladder-signed-out", value: "1", url: baseURL ?? "" },
    ]);
    expect((await context.request.get("/api/head")).status()).toBe(401);
    await page.goto("/");
    await expect(page).toHaveURL(/\/signin/);
    await context.close();
  });

  test("identity headers from a client are not an identity", async ({ playwright, baseURL }) => {
    const client = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: {
        "x-forwarded-user": "admin",
        "x-forwarded-email": "admin@acme.test",
        "x-forwarded-for": "127.0.0.1",
        "x-ladder-peer": "127.0.0.1",
        cookie: "ladder-signed-out=1",
      },
    });
    expect((await client.get("/api/head")).status()).toBe(401);
    const page = await client.get("/", { maxRedirects: 0 });
    expect(page.status()).toBe(303);
    expect(page.headers().location).toContain("/signin");
    await client.dispose();
  });

  test("path traversal in app names is a 404", async ({ page }) => {
    for (const target of [
      "/apps/..%2F..%2Fetc",
      "/apps/..%2F..%2Fetc/compare?from=dev&to=prod",
      "/apps/%2E%2E/compare",
      "/apps/api%2F..%2F..%2Fetc",
    ]) {
      expect((await page.goto(target))?.status(), target).toBe(404);
    }
  });

  test("script in a commit message and in a YAML comment renders as text", async ({ page, github }) => {
    await watch(page);
    const api = `${github.url}/api/v3/repos/acme/gitops/contents/apps/web/overlays/dev/kustomization.yaml`;
    const file = (await (await fetch(api, { headers: { authorization: `token ${DEMO_TOKEN}` } })).json()) as { content: string };
    const current = Buffer.from(file.content, "base64").toString("utf8");
    const yamlPayload = `<script>window.__pwned="yaml"</script><img src=x onerror="window.__pwned='yaml-img'">`;
    const messagePayload = `<script>window.__pwned="commit"</script><img src=x onerror="window.__pwned='commit-img'">`;
    const next = `# ${yamlPayload}\n${current.replace(/sha256:[0-9a-f]{64}/, `sha256:${"e".repeat(64)}`)}`;
    await github.commit({ "apps/web/overlays/dev/kustomization.yaml": next }, `Bump web in dev ${messagePayload}`);

    await expect(async () => {
      await page.goto("/apps/web");
      await expect(page.getByTestId("timeline-dev").getByText(messagePayload, { exact: false }).first()).toBeVisible({
        timeout: 2000,
      });
    }).toPass({ timeout: 30_000 });
    expect(await pwned(page)).toBeUndefined();

    await page.goto("/apps/web/compare?from=dev&to=staging");
    await expect(page.getByText(yamlPayload, { exact: false }).first()).toBeVisible();
    expect(await pwned(page)).toBeUndefined();
    // The payload's <img> never became an element.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });

  test("no token or secret reaches the browser: not in .next/static, not in the HTML", async ({ page }) => {
    const secrets = demoSecrets();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(path.resolve(".next", "static"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, "latin1");
      for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 6)}… in ${file}`).toBe(false);
    }
    for (const target of ["/", "/apps/api", "/apps/web/compare?from=staging&to=prod", "/drift", "/signin"]) {
      const response = await page.goto(target);
      const html = (await response?.text()) ?? "";
      expect(html.length).toBeGreaterThan(100);
      for (const secret of secrets) expect(html.includes(secret), `secret in ${target}`).toBe(false);
    }
  });

  test("sign-in sends people back only to Ladder's own pages", async ({ browser, baseURL }) => {
    const origin = new URL(baseURL ?? "").origin;
    const attacks = ["/.//evil.example/phish", "/..//evil.example", "/%2e%2e//evil.example", "//evil.example", "/\\evil.example"];
    const context = await browser.newContext();
    // Were any redirect to leave, it would end here rather than on the network.
    await context.route(
      (url) => url.hostname === "evil.example",
      (route) => route.abort(),
    );
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");

    // Signed in, the sign-in page redirects straight to `next`: the reported form first, as typed.
    const reported = await context.request.get("/signin?next=/.//evil.example/phish", { maxRedirects: 0 });
    expect(reported.status()).toBe(307);
    expect(new URL(reported.headers().location ?? "", baseURL).href).toBe(`${origin}/`);
    for (const next of [...attacks, "https://evil.example/"]) {
      const response = await context.request.get(`/signin?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
      expect(response.status(), next).toBe(307);
      expect(new URL(response.headers().location ?? "", baseURL).href, next).toBe(`${origin}/`);
    }
    const own = await context.request.get(`/signin?next=${encodeURIComponent("/apps/api?x=//evil.example")}`, {
      maxRedirects: 0,
    });
    expect(new URL(own.headers().location ?? "", baseURL).href).toBe(`${origin}/apps/api?x=//evil.example`);

    // Signed out, the form carries the cleaned `next`; and the signIn action cleans it again when
    // the form is tampered with, since a server action can be called with anything.
    await context.clearCookies();
    await context.addCookies([{ name: "ladder-signed-out", value: "1", url: baseURL ?? "" }]);
    for (const next of attacks) {
      await page.goto(`/signin?next=${encodeURIComponent(next)}`);
      await expect(page.locator('input[name="next"]')).toHaveValue("/");
      await page.locator('input[name="next"]').evaluate((input, value) => {
        (input as HTMLInputElement).value = value;
      }, next);
      await page.getByRole("button", { name: "Sign in as demo" }).click();
      await expect(page).toHaveURL(`${origin}/`);
      await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
      await context.clearCookies();
      await context.addCookies([{ name: "ladder-signed-out", value: "1", url: baseURL ?? "" }]);
    }
    await context.close();
  });

  test("health tells a stranger up or down only; the details need a session and Ladder's own Host", async ({
    request,
    page,
    baseURL,
  }) => {
    const stranger = await request.get("/api/health");
    expect(stranger.status()).toBe(200);
    expect(stranger.headers()["cache-control"]).toBe("no-store");
    expect(await stranger.json()).toEqual({ status: "ok" });

    await page.goto("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
    const signedIn = await page.request.get("/api/health");
    expect(await signedIn.json()).toMatchObject({
      status: "ok",
      database: { ok: true },
      github: { ok: true, repository: "acme/gitops" },
    });

    // A DNS-rebinding page: its requests name the attacker's host. Every other path refuses them;
    // health still answers (probes send the pod IP) but only up or down, even with a session.
    const cookie = (await page.context().cookies())
      .filter((c) => c.name.endsWith(".session_token"))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    expect(cookie).not.toBe("");
    const base = baseURL ?? "";
    expect((await getWithHost(base, "/api/head", "evil.example")).status).toBe(421);
    for (const withCookie of [undefined, cookie]) {
      const rebound = await getWithHost(base, "/api/health", "evil.example", withCookie);
      expect(rebound.status).toBe(200);
      expect(JSON.parse(rebound.body)).toEqual({ status: "ok" });
    }
  });

  test("sign-out ends the session; one click signs the local user back in", async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/");
    await page.getByText("demo", { exact: true }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    expect((await context.request.get("/api/head")).status()).toBe(401);
    await page.getByRole("button", { name: "Sign in as demo" }).click();
    await expect(page.getByTestId("signed-in-user")).toHaveText("demo");
    await context.close();
  });
});
