import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sampleDigest } from "../cmd/demo/sample-repo";
import { expect, expectChecksPass, type GitHubControl, test } from "./fixtures";

const fileAt = (github: GitHubControl, path: string, ref: string) => github.file(path, ref);

test.describe
  .serial("promotion", () => {
    test("Promote moves tag and digest in one pull request; merging it reaches MERGED and the matrix", async ({
      page,
      github,
    }, testInfo) => {
      const pullsBefore = (await github.pulls()).length;
      await page.goto("/");
      const prodCell = page.getByTestId("cell-api-prod");
      await prodCell.getByRole("button", { name: "Promote from staging: api to prod" }).click();
      const dialog = page.getByRole("dialog", { name: "Promote api to prod" });
      await expectChecksPass(dialog);
      const changed = dialog.locator("[data-diff-line]");
      // #14: the tag travels with the digest, so the file never reads 1.2.0 beside 1.3.0's bytes.
      await expect(changed).toHaveCount(4);
      await expect(dialog.locator('[data-diff-line="-"]')).toHaveText([/newTag: "1\.2\.0"/, /digest: sha256:/]);
      await expect(dialog.locator('[data-diff-line="+"]')).toHaveText([/newTag: "1\.3\.0"/, /digest: sha256:/]);
      await expect(dialog.locator('[data-diff-line="-"]').nth(1)).toContainText(`digest: ${sampleDigest("api", 2)}`);
      await expect(dialog.locator('[data-diff-line="+"]').nth(1)).toContainText(`digest: ${sampleDigest("api", 3)}`);
      await expect(dialog.getByTestId("new-digest")).toContainText("1.3.0");
      await expect(dialog.getByTestId("evidence")).toContainText("has run in staging");
      await testInfo.attach("promote-dialog", { body: await page.screenshot(), contentType: "image/png" });

      await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
      await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });

      // GitHub holds exactly one new PR, on its own branch, changing exactly the tag and digest lines.
      const pulls = await github.pulls();
      expect(pulls).toHaveLength(pullsBefore + 1);
      const pr = pulls.at(-1);
      if (!pr) throw new Error("no pull request");
      expect(pr.head).toBe(`ladder/api/prod/${sampleDigest("api", 3).slice(7, 19)}`);
      const path = "apps/api/overlays/prod/kustomization.yaml";
      const before = (await fileAt(github, path, "main")).split("\n");
      const after = (await fileAt(github, path, pr.head)).split("\n");
      expect(after).toHaveLength(before.length);
      const differing = before.map((line, i) => [line, after[i]]).filter(([a, b]) => a !== b);
      expect(differing).toEqual([
        ['    newTag: "1.2.0"', '    newTag: "1.3.0"'],
        [`    digest: ${sampleDigest("api", 2)}`, `    digest: ${sampleDigest("api", 3)}`],
      ]);

      await dialog.getByRole("button", { name: "Done" }).click();
      await page.goto("/history");
      const row = page.getByTestId("promotion-row").first();
      await expect(row).toHaveAttribute("data-status", "OPEN");
      await testInfo.attach("history-open", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

      // Merge on "GitHub": the PR link leads to the demo server's page; its webhook reaches Ladder.
      await row.getByRole("link", { name: `#${pr.number}` }).click();
      await page.getByRole("button", { name: "Merge pull request" }).click();
      await expect(page.locator(".state")).toHaveText("merged");
      await expect(async () => {
        await page.goto("/history");
        await expect(page.getByTestId("promotion-row").first()).toHaveAttribute("data-status", "MERGED", { timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await page
        .getByRole("button", { name: /^Details of api/ })
        .first()
        .click();
      const trail = page.getByTestId("event-trail");
      await expect(trail).toContainText("promotion.requested");
      await expect(trail).toContainText("promotion.opened");
      await expect(trail).toContainText("promotion.merged");
      await testInfo.attach("history-drawer", { body: await page.screenshot(), contentType: "image/png" });

      await page.goto("/");
      await expect(page.getByTestId("cell-api-prod").getByTestId("digest")).toHaveText(sampleDigest("api", 3).slice(0, 19));
      await expect(page.getByTestId("cell-api-prod").getByTestId("tag")).toHaveText("1.3.0");
      await expect(page.getByTestId("cell-api-prod")).toContainText("same as staging");
    });

    test("refused promotions say why and create no pull request and no open row", async ({ page, github }) => {
      const pullsBefore = (await github.pulls()).length;
      await page.goto("/");

      // Tag only: dev runs worker by tag, so there is no digest to promote.
      const tagOnly = await page.request.get("/api/promotions/preview?app=worker&to=staging");
      expect(tagOnly.status()).toBe(200);
      const tagOnlyPreview = (await tagOnly.json()) as {
        allowed: boolean;
        token: string | null;
        checks: { id: string; status: string; reason: string }[];
      };
      expect(tagOnlyPreview.allowed).toBe(false);
      expect(tagOnlyPreview.token).toBeNull();
      expect(tagOnlyPreview.checks.find((c) => c.id === "pinned")).toMatchObject({ status: "fail" });

      // Bytes staging never ran.
      const unknown = `sha256:${"ab".repeat(32)}`;
      const never = await page.request.get(`/api/promotions/preview?app=web&to=prod&digest=${unknown}`);
      const neverPreview = (await never.json()) as { allowed: boolean; checks: { id: string; status: string; reason: string }[] };
      expect(neverPreview.allowed).toBe(false);
      expect(neverPreview.checks.find((c) => c.id === "observed")).toMatchObject({ status: "fail" });

      // A frozen environment, set from the UI with a reason.
      await page.getByRole("button", { name: "Lock staging" }).click();
      const lockDialog = page.getByRole("dialog", { name: "Lock staging" });
      await lockDialog.getByLabel("Reason").fill("release freeze for the audit");
      await lockDialog.getByRole("button", { name: "Lock staging" }).click();
      await expect(page.getByTestId("lock-staging")).toContainText("release freeze for the audit");
      await page
        .getByTestId("cell-payments-staging")
        .getByRole("button", { name: /Promote from dev/ })
        .click();
      const dialog = page.getByRole("dialog", { name: "Promote payments to staging" });
      const lockCheck = dialog.getByTestId("checks").locator('[data-status="fail"]');
      await expect(lockCheck).toContainText("release freeze for the audit");
      await expect(dialog.getByRole("button", { name: "Refused by policy" })).toBeDisabled();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: "Unlock staging" }).click();
      await expect(page.getByTestId("lock-staging")).toHaveCount(0);

      expect(await github.pulls()).toHaveLength(pullsBefore);
      await page.goto("/history?status=OPEN");
      await expect(page.getByTestId("promotion-row")).toHaveCount(0);
    });
  });

test.describe("webhooks", () => {
  const secret = () => readFileSync(path.join(process.env.LADDER_E2E_DATA_DIR ?? "", "demo", "webhook-secret"), "utf8").trim();
  const deliver = (baseURL: string | undefined, body: string, delivery: string, signature: string) =>
    fetch(`${baseURL ?? ""}/api/webhooks/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": delivery,
        "x-hub-signature-256": signature,
      },
      body,
    });

  test("a forged signature is refused and a replayed delivery is applied once", async ({ baseURL }) => {
    const body = JSON.stringify({
      ref: "refs/heads/main",
      before: "0".repeat(40),
      after: "1".repeat(40),
      created: false,
      deleted: false,
      forced: false,
      repository: { full_name: "acme/gitops", name: "gitops", owner: { login: "acme" } },
      commits: [],
    });
    const good = `sha256=${createHmac("sha256", secret()).update(body).digest("hex")}`;
    const forged = `sha256=${createHmac("sha256", "not-the-secret").update(body).digest("hex")}`;
    const delivery = randomUUID();
    expect((await deliver(baseURL, body, delivery, forged)).status).toBe(401);
    const first = await deliver(baseURL, body, delivery, good);
    expect(first.status).toBe(202);
    expect(((await first.json()) as { outcome: string }).outcome).not.toBe("duplicate");
    const replay = await deliver(baseURL, body, delivery, good);
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { outcome: string }).outcome).toBe("duplicate");
  });
});
