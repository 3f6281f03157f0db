/**
 * Shared fixtures: the demo's GitHub-compatible server (driven over its
 * control API), the OpenAPI guard every test runs under, and an accessibility scan.
 */
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { expectNoNewViolations, recordedViolations, standInUrl } from "./support/openapi-guard";

export interface GitHubControl {
  url: string;
  head(): Promise<string>;
  /** `date`: the commit's time (for "since when" evidence and soak). */
  commit(files: Record<string, string | null>, message: string, date?: Date): Promise<string>;
  pulls(): Promise<{ number: number; state: string; head: string; title: string; merged?: boolean }[]>;
  merge(number: number): Promise<void>;
  /** A file at a ref, read through the test server's GitHub API (as Octokit would). */
  file(path: string, ref: string): Promise<string>;
}

function githubControl(): GitHubControl {
  const url = standInUrl();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_control/${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url,
    head: async () => (await call<{ sha: string }>("GET", "head")).sha,
    commit: async (files, message, date) =>
      (await call<{ sha: string }>("POST", "commit", { files, message, ...(date ? { date: date.toISOString() } : {}) })).sha,
    pulls: async () => (await call<{ pulls: Awaited<ReturnType<GitHubControl["pulls"]>> }>("GET", "pulls")).pulls,
    merge: async (number) => {
      await call("POST", `pulls/${number}/merge`);
    },
    file: async (path, ref) => {
      const response = await fetch(`${url}/api/v3/repos/acme/gitops/contents/${path}?ref=${encodeURIComponent(ref)}`, {
        headers: { authorization: "token ladder-demo-token", accept: "application/vnd.github.raw+json" },
      });
      if (!response.ok) throw new Error(`GET contents/${path}@${ref}: ${response.status}`);
      const body = await response.text();
      try {
        const json = JSON.parse(body) as { content?: string; encoding?: string };
        if (json.content) return Buffer.from(json.content, json.encoding === "base64" ? "base64" : "utf8").toString("utf8");
      } catch {
        // raw media type: the body is the file
      }
      return body;
    },
  };
}

/**
 * A Promote dialog whose preview has loaded and in which no policy check fails. Counting failing
 * checks alone passes while the preview is still loading (nothing is listed yet), so a test would
 * race on: the notifications spec committed its freeze before the preview was read, and the
 * preview then refused, which is what it was meant to see only on Confirm.
 */
export async function expectChecksPass(dialog: Locator): Promise<void> {
  const checks = dialog.getByTestId("checks");
  await expect(checks.locator("[data-status]").first()).toBeVisible({ timeout: 30_000 });
  await expect(checks.locator('[data-status="fail"]')).toHaveCount(0);
}

/** No serious or critical accessibility violations on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    "accessibility violations",
  ).toEqual([]);
}

export const test = base.extend<{ github: GitHubControl; openApiGuard: undefined }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
  github: async ({}, use) => {
    await use(githubControl());
  },
  // Every test: an OpenAPI violation the stand-in recorded while it ran fails it.
  openApiGuard: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const seen = (await recordedViolations()).length;
      await use(undefined);
      expectNoNewViolations(await recordedViolations(), seen, "during this test");
    },
    { auto: true },
  ],
});

export { expect };
