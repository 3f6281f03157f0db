import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "@/lib/gitops/memory-snapshot";
import { planDigestEdit } from "@/lib/gitops/plan-edit";
import { imagesInRendered } from "@/lib/gitops/rendered";
import { scanRepository } from "@/lib/gitops/scan";
import { overlayTreeArb } from "@/lib/gitops/test-support/generated-overlays";
import { hasKubectl } from "../support/kubectl";

const kubectl = hasKubectl;
// A local checkout may lack kubectl and skip; CI must not, or these checks would vanish unnoticed.
const inCI = process.env.CI === "true";

function render(files: Record<string, string>, dir: string): string[] {
  const tmp = mkdtempSync(path.join(tmpdir(), "ladder-oracle-"));
  try {
    for (const [p, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true });
      writeFileSync(path.join(tmp, p), t);
    }
    return imagesInRendered(
      execFileSync("kubectl", ["kustomize", path.join(tmp, dir)], { encoding: "utf8", timeout: 20_000 }),
    ).sort();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const asString = (i: { repository: string; tag: string | null; digest: string | null }) =>
  `${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`;

describe.skipIf(!kubectl && !inCI)("Kustomize semantics against kubectl kustomize", () => {
  it("kubectl is installed (CI requires it)", () => {
    expect(kubectl, "`kubectl version --client` failed: install kubectl, the oracle these tests compare against").toBe(true);
  });

  it("static resolution equals the rendered images for generated overlays, before and after a planned edit", async () => {
    const runs = 25;
    let edited = 0;
    await fc.assert(
      fc.asyncProperty(overlayTreeArb, fc.nat(5), fc.stringMatching(/^[0-9a-f]{64}$/), async (tree, idx, hex) => {
        const snap = memorySnapshot(tree.files);
        const scan = await scanRepository(snap);
        const prod = scan.apps[0]?.environments.prod;
        expect((prod?.images ?? []).map(asString).sort()).toEqual(render(tree.files, "envs/prod"));
        const target = prod?.images[idx % (prod?.images.length ?? 1)];
        if (!target) return;
        const digest = `sha256:${hex}`;
        const plan = await planDigestEdit(snap, scan, {
          app: scan.apps[0]?.name ?? "",
          env: "prod",
          image: target.repository,
          digest,
        });
        const rendered = render({ ...tree.files, [plan.path]: plan.after }, "envs/prod");
        const expected = `${target.repository}${target.tag ? `:${target.tag}` : ""}@${digest}`;
        expect(rendered).toContain(expected);
        edited++;
      }),
      { numRuns: runs },
    );
    // Cases without an image return before the edit is rendered; most must get that far.
    expect(edited, `cases whose edit kubectl rendered, of ${runs}`).toBeGreaterThanOrEqual(runs / 2);
  });

  it("images: rules (newName, newTag drops digest, digest drops tag, both) match kubectl", async () => {
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const files = {
      "base/kustomization.yaml": "resources: [d.yaml]\n",
      "base/d.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: "redis:7@${d("a")}"}]\n      containers:\n      - {name: a, image: "ghcr.io/x/a:1.0@${d("b")}"}\n      - {name: b, image: "ghcr.io/x/b:1.0"}\n      - {name: c, image: "localhost:5000/c:2"}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: x, image: "ghcr.io/x/b:1.0"}]\n`,
      "envs/prod/kustomization.yaml": `resources: [../../base]\nimages:\n- name: redis\n  newTag: "8"\n- name: ghcr.io/x/a\n  digest: ${d("c")}\n- name: ghcr.io/x/b\n  newName: ghcr.io/y/b\n  newTag: "2"\n  digest: ${d("d")}\n- name: localhost:5000/c\n  newTag: "3"\n`,
    };
    const scan = await scanRepository(memorySnapshot(files));
    const statics = [...new Set(scan.apps.flatMap((a) => a.environments.prod?.images ?? []).map(asString))].sort();
    expect(statics).toEqual(render(files, "envs/prod"));
  });
});
