import { describe, expect, it } from "vitest";
import { memorySnapshot } from "../gitops/memory-snapshot";
import { scanRepository } from "../gitops/scan";
import { labelledVersionText, matrixRows } from "./environment-matrix";

const release = (version: string) =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      chart: podinfo\n      version: "${version}"\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n`;

describe("matrixRows: artifacts", () => {
  it("offers the rung below's pinned version of a chart when it differs, never a range or the same version", async () => {
    const files: Record<string, string> = {};
    for (const [env, v] of [
      ["dev", ">=6.0.0"],
      ["staging", "6.6.0"],
      ["prod", "6.5.0"],
    ] as const) {
      files[`apps/${env}/kustomization.yaml`] = "resources:\n  - release.yaml\n";
      files[`apps/${env}/release.yaml`] = release(v);
    }
    const [row] = matrixRows(await scanRepository(memorySnapshot(files)));
    expect(row?.cells.prod?.artifacts?.[0]).toMatchObject({ name: "podinfo", version: "6.5.0", promote: "6.6.0" });
    // The rung below staging runs a range: nothing to promote.
    expect(row?.cells.staging?.artifacts?.[0]?.promote).toBeUndefined();
  });
});

describe("matrixRows: what the scan labels is shown, with its reason", () => {
  it("a bare name reads 'nginx · implicit latest, unpinned', as written and as the runtime pulls it", async () => {
    const deploy = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;
    const [row] = matrixRows(
      await scanRepository(
        memorySnapshot({
          "overlays/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
          "overlays/dev/deploy.yaml": deploy("nginx"),
          "overlays/prod/kustomization.yaml": "resources:\n  - deploy.yaml\n",
          "overlays/prod/deploy.yaml": deploy("nginx@sha256:abc"),
        }),
        { render: false },
      ),
    );
    const dev = row?.cells.dev?.images[0];
    expect(dev).toMatchObject({ reference: "nginx", pull: "docker.io/library/nginx:latest", pinned: false });
    expect(dev && labelledVersionText(dev)).toBe("nginx · implicit latest, unpinned");
    const prod = row?.cells.prod?.images[0];
    expect(prod?.labels.map((l) => l.kind)).toEqual(["invalid-digest"]);
    expect(prod && labelledVersionText(prod)).toBe("untagged · not a valid sha256 digest");
    // Labels are warnings too, so the row counts them.
    expect(row?.warnings).toBe(2);
  });
});
