/**
 * What `kustomize build` renders, read statically: one test per cause of disagreement issue #18
 * found against Kustomize's own test cases, and the forms around them. Every expected image here
 * is what `kubectl kustomize` (Kustomize 5.5) printed for the same tree; the differential test
 * (test/integration/gitops-kustomize-differential.test.ts) renders these trees again to keep it so.
 */
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";
import { KUSTOMIZE_EDGE_CASES, REPLACEMENTS_CASE, workload } from "./test-support/kustomize-edge-cases";
import type { TargetCell } from "./types";

/**
 * The cell of the kustomization at `dir`, named by a ladder.yaml so layout detection plays no part;
 * read statically only (no kubectl), which is what these tests are about.
 */
async function cellOf(files: Record<string, string>, dir: string): Promise<TargetCell> {
  const ladder = `environments: [prod]\napps:\n  - name: app\n    format: kustomize\n    paths: {prod: ${dir}}\n`;
  const scan = await scanRepository(memorySnapshot({ ...files, "ladder.yaml": ladder }), { render: false });
  const cell = scan.apps[0]?.environments.prod;
  if (!cell) throw new Error("no cell");
  return cell;
}

async function imagesOf(name: string): Promise<string[]> {
  const c = KUSTOMIZE_EDGE_CASES.find((e) => e.name === name);
  if (!c) throw new Error(`no edge case ${name}`);
  const cell = await cellOf(c.files, c.dir);
  return cell.images.map((i) => i.written ?? "").sort();
}

describe("#18's four causes", () => {
  it("bare image names are shown as the runtime pulls them, labelled implicit latest, not dropped as placeholders", async () => {
    const c = KUSTOMIZE_EDGE_CASES.find((e) => e.name === "bare names");
    const cell = await cellOf(c?.files ?? {}, c?.dir ?? "");
    expect(cell.images.map((i) => [i.written, i.pull, i.labels?.map((l) => l.text)])).toEqual([
      ["nginx", "docker.io/library/nginx:latest", ["implicit latest, unpinned"]],
      ["busybox", "docker.io/library/busybox:latest", ["implicit latest, unpinned"]],
      ["postgres", "docker.io/library/postgres:latest", ["implicit latest, unpinned"]],
      ["perl", "docker.io/library/perl:latest", ["implicit latest, unpinned"]],
      ["my-image", "docker.io/library/my-image:latest", ["implicit latest, unpinned"]],
    ]);
    expect(cell.unresolved).toEqual([]);
    expect(cell.warnings.filter((w) => w.code === "implicit-latest")).toHaveLength(5);
  });

  it("a JSON 6902 patch kept in a .json file is read", async () => {
    expect(await imagesOf("json6902 patch in a .json file")).toEqual(["ghcr.io/acme/api:2.0"]);
    expect(await imagesOf("patchesJson6902 with a .json file")).toEqual(["ghcr.io/acme/api:2.1"]);
  });

  it("transformers: image configs are read case-insensitively (Digest:, NewName:)", async () => {
    expect(await imagesOf("ImageTagTransformer with capitalised keys")).toEqual([
      `ghcr.io/acme/renamed@sha256:${"c".repeat(64)}`,
    ]);
    expect(await imagesOf("kustomization fields in any case")).toEqual(["ghcr.io/acme/api:upper"]);
  });

  it("a digest that is not 64 hex characters is shown as written, labelled not a valid sha256 digest", async () => {
    const c = KUSTOMIZE_EDGE_CASES.find((e) => e.name === "malformed digests");
    const cell = await cellOf(c?.files ?? {}, c?.dir ?? "");
    expect(cell.images.map((i) => [i.written, i.pinned, i.labels?.map((l) => l.kind)])).toEqual([
      ["ghcr.io/acme/api@sha256:abc", false, ["invalid-digest"]],
      [`ghcr.io/acme/worker:1@sha256:${"A".repeat(64)}`, false, ["invalid-digest"]],
      [`ghcr.io/acme/ok@sha256:${"a".repeat(64)}`, true, []],
    ]);
  });
});

describe("what the static build does not follow is named in the cell", () => {
  it("replacements that reach an image", async () => {
    const cell = await cellOf(REPLACEMENTS_CASE.files, REPLACEMENTS_CASE.dir);
    expect(cell.warnings).toContainEqual(
      expect.objectContaining({ file: "app/kustomization.yaml", line: 2, code: "replacements-unsupported" }),
    );
  });

  it("helmCharts, exec and KRM plugins, remote resources", async () => {
    const cell = await cellOf(
      {
        "app/kustomization.yaml": [
          "resources: [deploy.yaml, https://github.com/acme/base//app?ref=v1]",
          "helmCharts: [{name: redis, repo: https://charts.example.com, version: 1.0.0}]",
          "transformers: [plugin.yaml, 'https://github.com/acme/transformers//images?ref=v2']",
          "generators: [gen.yaml]",
          "",
        ].join("\n"),
        "app/deploy.yaml": workload("Deployment", "api", ["ghcr.io/acme/api:1.0"]),
        "app/plugin.yaml": "apiVersion: someteam.example.com/v1\nkind: SetImage\nmetadata: {name: p}\n",
        "app/gen.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\n  annotations: {config.kubernetes.io/function: 'container: {image: example/fn}'}\n",
      },
      "app",
    );
    expect(cell.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(["remote-base", "helm-charts-unsupported", "transformer-unsupported"]),
    );
    expect(cell.warnings.filter((w) => w.code === "transformer-unsupported").map((w) => w.message)).toEqual([
      expect.stringContaining("generator plugin v1/ConfigMap"),
      expect.stringContaining("remote plugin config not fetched"),
      expect.stringContaining("transformer plugin someteam.example.com/v1/SetImage"),
    ]);
    expect(cell.images.map((i) => i.written)).toEqual(["ghcr.io/acme/api:1.0"]);
    // Remote, so a render never fetches them either.
    expect(cell.remote.map((r) => r.url)).toEqual([
      "https://github.com/acme/base//app?ref=v1",
      "https://github.com/acme/transformers//images?ref=v2",
    ]);
  });

  it("configurations that give images: field specs of their own", async () => {
    const cell = await cellOf(
      {
        "app/kustomization.yaml": "resources: [deploy.yaml]\nconfigurations: [images-config.yaml]\n",
        "app/deploy.yaml": workload("Deployment", "api", ["ghcr.io/acme/api:1.0"]),
        "app/images-config.yaml": "images:\n  - path: spec/runner/image\n    kind: Pipeline\n",
      },
      "app",
    );
    expect(cell.warnings).toContainEqual(expect.objectContaining({ line: 2, code: "transformer-unsupported" }));
  });
});

describe("static build agrees with kustomize build on the edge cases", () => {
  for (const c of KUSTOMIZE_EDGE_CASES) {
    it(c.name, async () => {
      const cell = await cellOf(c.files, c.dir);
      expect(cell.images.map((i) => i.written ?? "").sort()).toEqual([...c.rendered].sort());
    });
  }
});
