/**
 * Registry evidence (#19) on the demo: its registry holds the sample's images (cmd/demo/registry.ts),
 * signed with the demo key except gateway 1.2.0, and worker 1.7.0 never pushed; the sample's
 * ladder.yaml requires the demo key's signature in staging. The matrix shows all three states;
 * promoting an unsigned digest into staging is refused, naming the key and what was checked; a
 * signed one's pull request body carries the registry evidence.
 *
 * The promotions use two apps of the spec's own (pinning the demo registry's gateway and api
 * images), removed again at the end, so the sample's apps keep the state the other specs expect.
 * Needs docker-registry and skopeo where the demo runs (.ci/run installs them): without them the
 * demo runs with evidence off and this spec fails on its first badge.
 */
import { MISSING_BUILD, sampleRevision, UNSIGNED_BUILD } from "../cmd/demo/sample-images";
import { sampleDigest } from "../cmd/demo/sample-repo";
import { expect, expectChecksPass, test } from "./fixtures";

/** registry-unsigned: dev runs the unsigned gateway 1.2.0; registry-signed: dev runs the signed api 1.3.0. */
const APPS = {
  "registry-unsigned": { image: UNSIGNED_BUILD.app, dev: UNSIGNED_BUILD.build, below: 1 },
  "registry-signed": { image: "api", dev: 3, below: 2 },
} as const;

function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [app, { image, dev, below }] of Object.entries(APPS)) {
    out[`apps/${app}/base/kustomization.yaml`] = "resources:\n  - deployment.yaml\n";
    out[`apps/${app}/base/deployment.yaml`] =
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${app}\n          image: ghcr.io/acme/${image}:0.0.0\n`;
    for (const [env, build] of [
      ["dev", dev],
      ["staging", below],
      ["prod", below],
    ] as const)
      out[`apps/${app}/overlays/${env}/kustomization.yaml`] =
        `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/${image}\n    newTag: "1.${build}.0"\n    digest: ${sampleDigest(image, build)}\n`;
  }
  return out;
}

test.describe
  .serial("registry evidence", () => {
    test("the matrix shows a signed, an unsigned and a missing digest", async ({ page }, testInfo) => {
      await page.goto("/");
      await expect(page.getByTestId("registry-evidence-off")).toHaveCount(0);
      const badge = (app: string, env: string) => page.getByTestId(`cell-${app}-${env}`).getByTestId("registry-badge");
      // The badges stream in after the matrix, each in its own Suspense boundary.
      await expect(badge("api", "dev")).toHaveText("signed", { timeout: 15_000 });
      await expect(badge(UNSIGNED_BUILD.app, "dev")).toHaveText("unsigned");
      await expect(badge(MISSING_BUILD.app, "staging")).toHaveText("not in registry");
      await testInfo.attach("registry-badges", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
    });

    test("an unsigned digest is refused in staging, naming the key; a signed one's PR body carries the evidence", async ({
      page,
      github,
    }, testInfo) => {
      await github.commit(files(), "Add two apps for registry evidence", new Date(Date.now() - 3_600_000));
      try {
        await page.goto("/?q=registry-");

        // Unsigned: refused, saying what was checked and which key staging requires.
        await page
          .getByTestId("cell-registry-unsigned-staging")
          .getByRole("button", { name: "Promote from dev: registry-unsigned to staging" })
          .click();
        let dialog = page.getByRole("dialog", { name: "Promote registry-unsigned to staging" });
        const refusal = dialog.getByTestId("checks").locator('[data-status="fail"]');
        await expect(refusal).toHaveCount(1);
        await expect(refusal).toContainText("Signature");
        await expect(refusal).toContainText(`is not signed: checked ghcr.io/acme/${UNSIGNED_BUILD.app}:sha256-`);
        await expect(refusal).toContainText("staging requires a signature by demo-release (requireSignature)");
        await expect(dialog.getByTestId("registry-image")).toContainText("found");
        await expect(dialog.getByTestId("registry-signature")).toHaveAttribute("data-state", "unsigned");
        await expect(dialog.getByRole("button", { name: "Refused by policy" })).toBeDisabled();
        await testInfo.attach("registry-refused", { body: await page.screenshot(), contentType: "image/png" });
        await dialog.getByRole("button", { name: "Cancel" }).click();

        // Signed: allowed, and the pull request's body says what the registry said.
        await page
          .getByTestId("cell-registry-signed-staging")
          .getByRole("button", { name: "Promote from dev: registry-signed to staging" })
          .click();
        dialog = page.getByRole("dialog", { name: "Promote registry-signed to staging" });
        await expectChecksPass(dialog);
        await expect(dialog.getByTestId("checks").locator('[data-status="pass"]').filter({ hasText: "Signature" })).toContainText(
          "is signed by demo-release",
        );
        const revision = sampleRevision("api", 3);
        await expect(dialog.getByTestId("registry-signature")).toContainText("signed by demo-release");
        await expect(dialog.getByTestId("registry-created")).toContainText("2026-01-04T00:00:00Z");
        await expect(dialog.getByTestId("registry-source").getByRole("link")).toHaveAttribute(
          "href",
          `https://github.com/acme/api/commit/${revision}`,
        );
        await testInfo.attach("registry-signed", { body: await page.screenshot(), contentType: "image/png" });
        const pullsBefore = (await github.pulls()).length;
        await dialog.getByRole("button", { name: "Confirm and open pull request" }).click();
        await expect(dialog.getByTestId("promote-result")).toContainText("Pull request opened", { timeout: 30_000 });
        const pulls = await github.pulls();
        expect(pulls).toHaveLength(pullsBefore + 1);
        const pr = pulls.find((p) => p.head === `ladder/registry-signed/staging/${sampleDigest("api", 3).slice(7, 19)}`);
        if (!pr) throw new Error("no pull request for registry-signed");
        const response = await fetch(`${github.url}/api/v3/repos/acme/gitops/pulls/${pr.number}`, {
          headers: { authorization: "token ladder-demo-token" },
        });
        expect(response.status).toBe(200);
        const { body } = (await response.json()) as { body: string };
        expect(body).toContain("### Registry");
        expect(body).toContain(`- **Registry**: \`ghcr.io/acme/api@${sampleDigest("api", 3)}\`: found, an image (linux/amd64)`);
        expect(body).toContain("- **Created**: `2026-01-04T00:00:00Z`");
        expect(body).toContain(
          `- **Source commit**: [github.com/acme/api@${revision.slice(0, 12)}](https://github.com/acme/api/commit/${revision})`,
        );
        expect(body).toContain("- **Version**: `1.3.0`");
        expect(body).toContain("- **Signature**: signed by `demo-release` (cosign)");
        await dialog.getByRole("button", { name: "Done" }).click();
        // Merged, so no promotion is left open for the specs after this one.
        await github.merge(pr.number);
        await expect(async () => {
          await page.goto("/history");
          const row = page.getByTestId("promotion-row").filter({ hasText: "registry-signed" });
          await expect(row).toHaveAttribute("data-status", "MERGED", { timeout: 1_000 });
        }).toPass({ timeout: 20_000 });
      } finally {
        await github.commit(Object.fromEntries(Object.keys(files()).map((f) => [f, null])), "Remove the registry evidence apps");
      }
    });
  });
