/**
 * Attack: a repository file built to exhaust memory when parsed ("billion laughs": nested
 * aliases that expand exponentially). The scan must finish quickly, report the file, and
 * keep scanning everything else.
 */
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "@/lib/gitops/memory-snapshot";
import { scanRepository } from "@/lib/gitops/scan";

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

const kustomization = (env: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../base]
images:
  - name: ghcr.io/acme/api
    newTag: "${env}"
    digest: sha256:${"a".repeat(64)}
`;

describe("YAML alias bombs in the repository", () => {
  it("a billion-laughs kustomization is reported, not expanded", async () => {
    const snapshot = memorySnapshot({
      "apps/api/base/kustomization.yaml": "resources: [deployment.yaml]\n",
      "apps/api/base/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
      "apps/api/overlays/dev/kustomization.yaml": kustomization("dev"),
      "apps/api/overlays/prod/kustomization.yaml": `${billionLaughs()}${kustomization("prod")}`,
    });
    const started = performance.now();
    const scan = await scanRepository(snapshot);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(scan.apps.map((a) => a.name)).toContain("api");
    const warning = scan.warnings.find((w) => w.file === "apps/api/overlays/prod/kustomization.yaml");
    expect(warning, JSON.stringify(scan.warnings)).toBeDefined();
  });

  it("a billion-laughs ladder.yaml is refused with a message", async () => {
    const snapshot = memorySnapshot({
      "ladder.yaml": `${billionLaughs()}environments: [dev]\napps: [{path: "apps/{app}/{env}"}]\n`,
      "apps/api/dev/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
    });
    const scan = await scanRepository(snapshot);
    // The alias limit itself must refuse the file: without it the anchors' keys still fail as
    // unknown keys, which would let this test pass with the limit gone.
    const refusal = scan.warnings.find((w) => w.file === "ladder.yaml" && w.code === "yaml-alias-limit");
    expect(refusal, JSON.stringify(scan.warnings)).toBeDefined();
    expect(refusal?.message).toMatch(/excessive alias count/i);
  });
});
