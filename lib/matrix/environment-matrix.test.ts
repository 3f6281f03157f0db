import { describe, expect, it } from "vitest";
import { memorySnapshot } from "../gitops/memory-snapshot";
import { scanRepository } from "../gitops/scan";
import { matrixRows } from "./environment-matrix";

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
