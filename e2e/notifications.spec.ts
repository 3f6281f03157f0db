/**
 * Notifications end to end (#14 item 6): a demo of its own, with a ladder.yaml `notify:` target
 * for a signed webhook and one for Slack whose URL and secret are in the demo server's
 * environment, and a real receiver in this process. Everything happens in the browser or on the
 * GitHub stand-in's pages — a promotion opened and merged, one closed, one refused (ladder.yaml
 * froze the environment between the preview and the click), one failed (GitHub answering 503),
 * a lock placed and released — and the receiver gets each event once, signed, in order per
 * promotion; the promotion's drawer lists its deliveries.
 */
import type { Browser, Page } from "@playwright/test";
import { SECRET } from "../test/support/notification-fixtures";
import { type NotificationReceiver, startNotificationReceiver } from "../test/support/notification-receiver";
import { expect, expectChecksPass, test } from "./fixtures";
import { type DemoProcess, startDemo } from "./support/demo-process";

test.describe.configure({ mode: "serial", timeout: 300_000 });

let receiver: NotificationReceiver;
let demo: DemoProcess;

async function ladderYaml(): Promise<string> {
  const response = await fetch(`${demo.githubUrl}/api/v3/repos/acme/gitops/contents/ladder.yaml?ref=main`, {
    headers: { authorization: "token ladder-demo-token", accept: "application/vnd.github.raw+json" },
  });
  if (!response.ok) throw new Error(`GET ladder.yaml: ${response.status}`);
  // The stand-in answers the contents API with JSON (base64 content) whatever the Accept header.
  const body = await response.text();
  try {
    const json = JSON.parse(body) as { content?: string; encoding?: string };
    if (json.content) return Buffer.from(json.content, json.encoding === "base64" ? "base64" : "utf8").toString("utf8");
  } catch {
    // Raw text.
  }
  return body;
}

async function control(method: string, route: string, body?: unknown): Promise<void> {
  const response = await fetch(`${demo.githubUrl}/_control/${route}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`control ${method} ${route}: ${response.status} ${await response.text()}`);
}

const webhook = () => receiver.accepted.filter((r) => r.path === "/hooks/ladder");
const slack = () => receiver.accepted.filter((r) => r.path === "/hooks/ladder/slack");

test.beforeAll(async () => {
  receiver = await startNotificationReceiver({ secret: SECRET });
  // The demo's server inherits these (e2e/support/demo-process.ts passes the environment on).
  process.env.LADDER_NOTIFY_E2E_OPS_SECRET = SECRET;
  process.env.LADDER_NOTIFY_E2E_SLACK_URL = `${receiver.url}/slack`;
  try {
    demo = await startDemo([]);
  } finally {
    delete process.env.LADDER_NOTIFY_E2E_OPS_SECRET;
    delete process.env.LADDER_NOTIFY_E2E_SLACK_URL;
  }
  const current = await ladderYaml();
  await demo.commit(
    {
      "ladder.yaml": [
        current.trimEnd(),
        "notify:",
        "  - name: ops",
        "    kind: webhook",
        `    url: ${receiver.url}`,
        "    secretEnv: LADDER_NOTIFY_E2E_OPS_SECRET",
        "  - name: team-slack",
        "    kind: slack",
        "    urlEnv: LADDER_NOTIFY_E2E_SLACK_URL",
        "    environments: [prod]",
        "    events: [merged]",
        "",
      ].join("\n"),
    },
    "Notify ops and the team",
  );
});

test.afterAll(async () => {
  await demo?.stop();
  await receiver?.close();
});

async function openPage(browser: Browser): Promise<{ page: Page; close(): Promise<void> }> {
  // A context of its own: the shared demo's session cookie (same host, other port) stays out.
  const context = await browser.newContext();
  return { page: await context.newPage(), close: () => context.close() };
}

async function openDialog(page: Page, app: string, from: string, to: string) {
  await page.goto(`${demo.url}/`);
  await page
    .getByTestId(`cell-${app}-${to}`)
    .getByRole("button", { name: `Promote from ${from}: ${app} to ${to}` })
    .click();
  const dialog = page.getByRole("dialog", { name: `Promote ${app} to ${to}` });
  await expectChecksPass(dialog);
  return dialog;
}

async function prPage(page: Page, number: number): Promise<void> {
  await page.goto(`${demo.githubUrl}/acme/gitops/pull/${number}`);
}

test("a receiver gets each event once: opened, merged, closed, refused, failed, locked, unlocked", async ({ browser }) => {
  const { page, close } = await openPage(browser);
  try {
    // Opened, then merged on the stand-in's pull request page.
    let dialog = await openDialog(page, "api", "staging", "prod");
    await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
    await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });
    const api = (await demo.pulls()).at(-1);
    if (!api) throw new Error("no pull request for api");
    await prPage(page, api.number);
    await page.getByRole("button", { name: "Merge pull request" }).click();
    await expect(page.locator(".state")).toHaveText("merged");

    // Opened, then closed without merging.
    dialog = await openDialog(page, "payments", "dev", "staging");
    await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
    await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });
    const payments = (await demo.pulls()).at(-1);
    if (!payments) throw new Error("no pull request for payments");
    await prPage(page, payments.number);
    await page.getByRole("button", { name: "Close" }).click();
    await expect(page.locator(".state")).toHaveText("closed");
    await expect(async () => {
      await page.goto(`${demo.url}/history`);
      await expect(page.getByTestId("promotion-row").first()).toHaveAttribute("data-status", "CLOSED", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });

    // Refused: the dialog's preview allowed it, then ladder.yaml froze staging before the click
    // (committed on the stand-in, so the page keeps the preview it showed).
    dialog = await openDialog(page, "payments", "dev", "staging");
    const open = await ladderYaml();
    const frozen = open.replace("  - name: staging\n", "  - name: staging\n    freeze:\n      reason: e2e change freeze\n");
    expect(frozen).not.toBe(open);
    await demo.commit({ "ladder.yaml": frozen }, "Freeze staging");
    await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
    await expect(dialog.getByTestId("promote-result")).toContainText("e2e change freeze", { timeout: 30_000 });
    await demo.commit({ "ladder.yaml": open }, "Unfreeze staging");

    // Failed: GitHub keeps answering 503 to creating the pull request.
    await control("POST", "faults", { kind: "status", status: 503, match: { operationId: "pulls/create" }, times: 20 });
    try {
      // Until Ladder has seen the unfreeze (a push webhook, or the head's few seconds of cache).
      await expect(async () => {
        dialog = await openDialog(page, "payments", "dev", "staging");
      }).toPass({ timeout: 30_000 });
      await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
      await expect(dialog.getByTestId("promote-result")).toHaveAttribute("role", "alert", { timeout: 60_000 });
    } finally {
      await control("DELETE", "faults");
    }

    // A lock placed and released from the matrix.
    await page.goto(`${demo.url}/`);
    await page.getByRole("button", { name: "Lock staging" }).click();
    const lockDialog = page.getByRole("dialog", { name: "Lock staging" });
    await lockDialog.getByLabel("Reason").fill("notification check");
    await lockDialog.getByRole("button", { name: "Lock staging" }).click();
    await expect(page.getByTestId("lock-staging")).toContainText("notification check");
    await page.getByRole("button", { name: "Unlock staging" }).click();
    await expect(page.getByTestId("lock-staging")).toHaveCount(0);

    const expected = [
      "promotion.opened",
      "promotion.merged",
      "promotion.opened",
      "promotion.closed",
      "promotion.refused",
      "promotion.failed",
      "environment.locked",
      "environment.unlocked",
    ];
    await expect.poll(() => webhook().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(expected.length);
    // Give a double the time to show up; none may.
    await page.waitForTimeout(3_000);
    const got = webhook();
    expect(got.map((r) => r.event).sort()).toEqual([...expected].sort());
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(expected.length);
    expect(got.every((r) => r.verified)).toBe(true);
    // In order per promotion.
    const of = (app: string) =>
      got.filter((r) => (r.body.promotion as { app?: string; id?: string | null } | null)?.app === app).map((r) => r.event);
    expect(of("api")).toEqual(["promotion.opened", "promotion.merged"]);
    expect(of("payments")).toEqual(expect.arrayContaining(["promotion.opened", "promotion.closed"]));
    expect(of("payments").indexOf("promotion.opened")).toBeLessThan(of("payments").indexOf("promotion.closed"));
    const refused = got.find((r) => r.event === "promotion.refused")?.body;
    expect(refused).toMatchObject({
      promotion: { id: null, app: "payments", toEnv: "staging" },
      reason: expect.stringContaining("e2e change freeze"),
    });
    expect(got.find((r) => r.event === "environment.locked")?.body).toMatchObject({
      lock: { env: "staging", reason: "notification check" },
    });

    // Slack: only prod's merges.
    expect(slack().map((r) => r.body.text)).toEqual([
      expect.stringMatching(/^\[acme\/gitops\] Promotion of \*api\* staging → prod .* merged/),
    ]);

    // The api promotion's drawer lists its deliveries.
    await page.goto(`${demo.url}/history?app=api`);
    await page
      .getByRole("button", { name: /^Details of api/ })
      .first()
      .click();
    const deliveries = page.getByTestId("notification-deliveries");
    await expect(deliveries.locator("tbody tr")).toHaveCount(3);
    await expect(deliveries).toContainText("ops");
    await expect(deliveries).toContainText("team-slack");
    await expect(deliveries.locator("tbody tr", { hasText: "delivered" })).toHaveCount(3);

    expect(await demo.violations()).toEqual([]);
  } finally {
    await close();
  }
});
