import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";

/**
 * A values-only repository: the chart lives in another repository (Argo CD multi-source points
 * `$values` here). `environments/base/values.yaml` sets the registry; each environment's
 * values.yaml sets one tag per app under `global`; `worker.yaml` is a third app's own release.
 */
function valuesOnlyTree(): Record<string, string> {
  const files: Record<string, string> = { "environments/base/values.yaml": "global:\n  registry: registry.acme.io\n" };
  for (const [env, web, api, worker] of [
    ["dev", "1.5.0", "2.1.0", "0.9.1"],
    ["prod", "1.4.0", "2.0.0", "0.9.0"],
  ] as const) {
    files[`environments/${env}/values.yaml`] = `global:\n  webTag: "${web}"\n  apiTag: "${api}"\n`;
    files[`environments/${env}/worker.yaml`] = `image:\n  tag: ${worker}\n`;
  }
  return files;
}

describe("Helm values under any key", () => {
  it("names apps after a values-only repository's global tag keys and release files, never 'app'", async () => {
    const s = await scanRepository(memorySnapshot(valuesOnlyTree()));
    expect(s.apps.map((a) => a.name).sort()).toEqual(["api", "web", "worker"]);
    expect(s.environments).toEqual(["dev", "prod"]);
    expect(s.layout.guessed.join("\n")).toMatch(/values only \(the chart is not in the repository\)/);
  });

  it("shows the tag it found and says the repository comes from a chart it cannot read", async () => {
    const s = await scanRepository(memorySnapshot(valuesOnlyTree()));
    const web = s.apps.find((a) => a.name === "web")?.environments.prod;
    expect(web?.images).toEqual([]);
    expect(web?.unresolved).toEqual([
      {
        reference: "tag:global.webTag",
        tag: "1.4.0",
        reason: "tag 1.4.0 (global.webTag); the image repository comes from the chart, which is not in this repository",
        source: { file: "environments/prod/values.yaml", line: 2 },
      },
    ]);
    const worker = s.apps.find((a) => a.name === "worker")?.environments.dev;
    expect(worker?.unresolved.map((u) => [u.tag, u.source?.file])).toEqual([["0.9.1", "environments/dev/worker.yaml"]]);
  });

  it("reads a composed repository and a tag key a ladder.yaml names", async () => {
    const ladderYaml = `environments: [dev, prod]
apps:
  - name: web
    format: helm
    path: environments/{env}/values.yaml
    helm:
      valueFiles: [environments/base/values.yaml]
      images:
        - repository: "{global.registry}/shop/web"
          tag: global.webTag
`;
    const s = await scanRepository(memorySnapshot({ ...valuesOnlyTree(), "ladder.yaml": ladderYaml }));
    const prod = s.apps.find((a) => a.name === "web")?.environments.prod;
    expect(prod?.images.map((i) => [i.repository, i.tag, i.source.file, i.source.line])).toEqual([
      ["registry.acme.io/shop/web", "1.4.0", "environments/prod/values.yaml", 2],
    ]);
  });
});
