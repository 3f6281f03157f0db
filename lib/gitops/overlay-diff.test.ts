import path from "node:path";
import { describe, expect, it } from "vitest";
import { openLocalRepo } from "../snapshot/local-reader";
import { memorySnapshot } from "./memory-snapshot";
import { diffEnvironments, semanticDiff } from "./overlay-diff";
import { scanRepository } from "./scan";

const fixture = path.resolve(__dirname, "../../test/fixtures/gitops/multi-app");

describe("diffEnvironments", () => {
  it("applies Kustomize's replicas: field, so a scaled overlay is an expected difference", async () => {
    const snap = memorySnapshot({
      "base/kustomization.yaml": "resources: [deployment.yaml]\n",
      "base/deployment.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/a/web:1\n",
      "overlays/staging/kustomization.yaml": "resources: [../../base]\nreplicas:\n  - name: web\n    count: 2\n",
      "overlays/prod/kustomization.yaml": "resources: [../../base]\nreplicas:\n  - name: web\n    count: 3\n",
    });
    const scan = await scanRepository(snap);
    const d = await diffEnvironments(snap, scan, "web", "staging", "prod");
    expect(d.semantic).toEqual([
      expect.objectContaining({
        resource: "Deployment/web",
        keyPath: "spec.replicas",
        from: 2,
        to: 3,
        classification: "expected",
      }),
    ]);
  });

  it("pairs own files, classifies replicas as expected and images as expected, reports thinness", async () => {
    const snap = await (await openLocalRepo(fixture, { worktree: true })).snapshot();
    const scan = await scanRepository(snap);
    const d = await diffEnvironments(snap, scan, "api", "staging", "prod");
    expect(d.files.map((f) => [f.name, f.status])).toEqual([
      ["kustomization.yaml", "changed"],
      ["replicas.yaml", "changed"],
    ]);
    expect(d.files[1]?.unifiedDiff).toContain("-  replicas: 2");
    expect(d.files[1]?.unifiedDiff).toContain("+  replicas: 5");
    expect(d.semantic).toContainEqual(
      expect.objectContaining({
        resource: "Deployment/api",
        keyPath: "spec.replicas",
        change: "changed",
        from: 2,
        to: 5,
        classification: "expected",
      }),
    );
    expect(d.semantic).toContainEqual(
      expect.objectContaining({ keyPath: "spec.template.spec.containers[api].image", classification: "expected" }),
    );
    expect(d.driftCount).toBe(0);
    expect(d.images.find((i) => i.repository === "ghcr.io/acme/api")?.relation).toBe("differs");
    expect(d.images.find((i) => i.repository === "docker.io/library/redis")?.relation).toBe("same");
    expect(d.thinness.prod?.ownLines).toBeGreaterThan(0);
    expect(d.thinness.prod?.ratio).toBeLessThan(1);
  });

  it("flags keys outside the policy as drift", async () => {
    const changes = semanticDiff(
      { spec: { template: { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }] } } } },
      { spec: { template: { spec: { containers: [{ name: "a", env: [{ name: "X", value: "2" }] }] } } } },
    );
    expect(changes).toEqual([
      { keyPath: "spec.template.spec.containers[a].env[X].value", change: "changed", from: "1", to: "2" },
    ]);
  });
});
