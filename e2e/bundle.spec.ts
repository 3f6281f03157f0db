import { sampleDigest } from "../cmd/demo/sample-repo";
import { expect, test } from "./fixtures";

/** Three apps of their own (so the demo's other specs keep their state): staging runs build 2, prod build 1. */
const APPS = ["bundle-cart", "bundle-search", "bundle-mail"] as const;

function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const app of APPS) {
    out[`apps/${app}/base/kustomization.yaml`] = "resources:\n  - deployment.yaml\n";
    out[`apps/${app}/base/deployment.yaml`] =
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${app}\n          image: ghcr.io/acme/${app}:0.0.0\n`;
    for (const [env, build] of [
      ["dev", 2],
      ["staging", 2],
      ["prod", 1],
    ] as const)
      out[`apps/${app}/overlays/${env}/kustomization.yaml`] =
        `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/${app}\n    newTag: "1.${build}.0"\n    digest: ${sampleDigest(app, build)}\n`;
  }
  return out;
}

test.describe
  .serial("bundles", () => {
    test("three apps in one pull request: one commit touching three files; the merge moves all three cells", async ({
      page,
      github,
    }, testInfo) => {
      // An hour old, so prod's 10 minute soak has passed. Removed again at the end: the other specs
      // count the demo's apps.
      await github.commit(files(), "Add three apps for a bundle", new Date(Date.now() - 3_600_000));
      try {
        await page.goto("/?q=bundle-");
        for (const app of APPS) await expect(page.getByTestId(`cell-${app}-prod`)).toContainText("1.1.0");

        const bar = page.getByRole("region", { name: "Promote several apps" });
        await bar.getByRole("combobox", { name: "Environment to promote to" }).selectOption("prod");
        await bar.getByRole("button", { name: /^Select all waiting for prod/ }).click();
        for (const app of APPS) await expect(page.getByRole("checkbox", { name: `Select ${app} for a bundle` })).toBeChecked();
        await bar.getByRole("button", { name: "Promote 3 apps to prod" }).click();

        const dialog = page.getByRole("dialog", { name: "Promote 3 apps to prod" });
        await expect(dialog.getByTestId("bundle-included").getByRole("listitem")).toHaveCount(3);
        for (const app of APPS) await expect(dialog.getByTestId(`bundle-member-${app}`)).toContainText("1.2.0");
        const cart = dialog.getByTestId("bundle-member-bundle-cart");
        await cart.locator("summary").click();
        await expect(cart.locator('[data-diff-line="+"]')).toHaveText([/newTag: "1\.2\.0"/, /digest: sha256:/]);
        await testInfo.attach("bundle-dialog", { body: await page.screenshot(), contentType: "image/png" });

        const pullsBefore = (await github.pulls()).length;
        await dialog.getByRole("button", { name: "Open one pull request for 3 apps" }).click();
        await expect(dialog.getByTestId("bundle-result")).toContainText("Pull request opened", { timeout: 30_000 });
        const pulls = await github.pulls();
        expect(pulls).toHaveLength(pullsBefore + 1);
        const pr = pulls.at(-1);
        if (!pr) throw new Error("no pull request");
        expect(pr.title).toMatch(/^Promote 3 apps to prod: /);
        for (const app of APPS) expect(pr.title).toContain(app);
        expect(pr.head).toMatch(/^ladder-bundle\/prod\/[0-9a-f]{12}$/);
        for (const app of APPS) {
          const after = await github.file(`apps/${app}/overlays/prod/kustomization.yaml`, pr.head);
          expect(after).toContain('newTag: "1.2.0"');
          expect(after).toContain(`digest: ${sampleDigest(app, 2)}`);
        }
        await dialog.getByRole("button", { name: "Done" }).click();

        await github.merge(pr.number);
        await expect(async () => {
          await page.goto("/history");
          const rows = page.getByTestId("promotion-row").filter({ hasText: "bundle-" });
          await expect(rows).toHaveCount(3, { timeout: 1_000 });
          for (const status of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))))
            expect(status).toBe("MERGED");
        }).toPass({ timeout: 20_000 });
        await page
          .getByTestId("promotion-row")
          .filter({ hasText: "bundle-cart" })
          .getByRole("link", { name: "Show the whole bundle bundle-cart was promoted in" })
          .click();
        await expect(page.getByTestId("bundle-summary")).toContainText("One pull request for 3 apps");
        await expect(page.getByRole("button", { name: "Roll back the whole bundle" })).toBeVisible();
        await testInfo.attach("history-bundle", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

        await page.goto("/?q=bundle-");
        for (const app of APPS) {
          const cell = page.getByTestId(`cell-${app}-prod`);
          await expect(cell.getByTestId("tag")).toHaveText("1.2.0");
          await expect(cell.getByTestId("digest")).toHaveText(sampleDigest(app, 2).slice(0, 19));
        }
      } finally {
        await github.commit(Object.fromEntries(Object.keys(files()).map((f) => [f, null])), "Remove the bundle apps");
      }
    });
  });
