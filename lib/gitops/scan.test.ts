import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openLocalRepo } from "../snapshot/local-reader";
import { ladderYamlRefusal, policyConfig, viewersConfig } from "./ladder-yaml-status";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";
import type { ScanResult } from "./types";

const fixtures = path.resolve(__dirname, "../../test/fixtures/gitops");
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

async function scanFixture(name: string): Promise<ScanResult> {
  const reader = await openLocalRepo(path.join(fixtures, name), { worktree: true });
  return scanRepository(await reader.snapshot());
}

function images(scan: ScanResult, app: string, env: string): string[] {
  const cell = scan.apps.find((a) => a.name === app)?.environments[env];
  return (cell?.images ?? []).map((i) => `${i.repository}:${i.tag ?? ""}@${i.digest ?? ""}`).sort();
}

describe("scan: multi-app Kustomize tree without ladder.yaml", () => {
  it("detects apps/<app>/overlays/<env> and orders environments by name", async () => {
    const s = await scanFixture("multi-app");
    expect(s.environments).toEqual(["dev", "staging", "prod"]);
    expect(s.apps.map((a) => a.name).sort()).toEqual(["api", "web"]);
    expect(Object.keys(s.apps.find((a) => a.name === "web")?.environments ?? {})).toEqual(["dev", "prod"]);
    expect(s.layout.ignored.map((i) => i.path)).toContain("kargo");
  });

  it("applies images: (newTag + digest) in the overlay and reports where it is set", async () => {
    const s = await scanFixture("multi-app");
    const dev = s.apps.find((a) => a.name === "api")?.environments.dev;
    const api = dev?.images.find((i) => i.repository === "ghcr.io/acme/api");
    expect(api).toMatchObject({
      repository: "ghcr.io/acme/api",
      repositoryNormalised: "ghcr.io/acme/api",
      tag: "1.4.2",
      digest: D2,
      pinned: true,
      source: { file: "apps/api/overlays/dev/kustomization.yaml", line: 9 },
      inherited: false,
      setBy: "images-transformer",
    });
    const redis = dev?.images.find((i) => i.repository === "redis");
    expect(redis).toMatchObject({
      repositoryNormalised: "docker.io/library/redis",
      tag: "7.2",
      digest: null,
      pinned: false,
      inherited: true,
    });
    expect(redis?.source).toEqual({ file: "apps/api/base/deployment.yaml", line: 16 });
  });

  it("reads initContainers and falls back to the base where the overlay sets nothing", async () => {
    const s = await scanFixture("multi-app");
    expect(images(s, "api", "prod")).toEqual(["ghcr.io/acme/api-migrate:1.0.0@", "ghcr.io/acme/api:1.4.0@", "redis:7.2@"]);
  });

  it("applies strategic-merge patches to one workload only (CronJob keeps the base image)", async () => {
    const s = await scanFixture("multi-app");
    expect(images(s, "web", "dev")).toEqual([`ghcr.io/acme/web:2.0.0@${D1}`, `ghcr.io/acme/web:2.1.0@${D2}`]);
    const patched = s.apps.find((a) => a.name === "web")?.environments.dev?.images.find((i) => i.tag === "2.1.0");
    expect(patched).toMatchObject({
      setBy: "patch",
      inherited: false,
      source: { file: "apps/web/overlays/dev/image.yaml", line: 10 },
    });
  });
});

describe("scan: ladder.yaml", () => {
  it("uses declared environments, patterns and helm value files", async () => {
    const s = await scanFixture("ladder-config");
    expect(s.layout.source).toBe("ladder.yaml");
    expect(s.environments).toEqual(["dev", "staging", "prod"]);
    expect(images(s, "api", "staging")).toEqual([`ghcr.io/acme/api:1.4.1@${D1}`]);
    expect(images(s, "worker", "prod")).toEqual([`registry.example.com/acme/worker:3.0.0@${D2}`]);
    expect(images(s, "worker", "dev")).toEqual(["registry.example.com/acme/worker:3.1.0@"]);
    const worker = s.apps.find((a) => a.name === "worker")?.environments.dev?.images[0];
    expect(worker?.source).toEqual({ file: "helm/worker/values-dev.yaml", line: 3 });
  });

  it("rejects unknown keys with file and line and falls back to detection", async () => {
    const snap = memorySnapshot({
      "ladder.yaml": "environments: [dev, prod]\napps:\n  - name: api\n    path: apps/api/{env}\n    colour: blue\n",
      "overlays/dev/kustomization.yaml": "resources: [d.yaml]\n",
      "overlays/dev/d.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {template: {spec: {containers: [{name: a, image: 'nginx:1.27'}]}}}\n",
    });
    const s = await scanRepository(snap);
    expect(s.warnings).toContainEqual(
      expect.objectContaining({ file: "ladder.yaml", line: 5, message: expect.stringContaining("colour") }),
    );
    expect(s.layout.source).toBe("detected");
    expect(s.layout.ladderYaml).toMatchObject({ state: "invalid", file: "ladder.yaml", layoutFrom: null });
    expect(s.warnings).toContainEqual(
      expect.objectContaining({ code: "ladder-config-invalid", message: expect.stringContaining("refused until it is fixed") }),
    );
    expect(images(s, "api", "dev")).toEqual(["nginx:1.27@"]);
  });

  it("an invalid ladder.yaml keeps the last valid one's layout when given it, never its policy", async () => {
    const valid = "environments: [qa, live]\napps:\n  - name: api\n    path: overlays/{env}\n";
    const files = {
      "ladder.yaml": `${valid}    format: kustomise\n`,
      "overlays/qa/kustomization.yaml": "resources: [d.yaml]\n",
      "overlays/qa/d.yaml": deploy("nginx:1.27"),
      "overlays/live/kustomization.yaml": "resources: [../qa]\n",
    };
    const detected = await scanRepository(memorySnapshot(files));
    const kept = await scanRepository(memorySnapshot(files), { lastValidLadderYaml: { text: valid, commit: "a".repeat(40) } });
    expect(kept.layout).toMatchObject({ source: "ladder.yaml", ladderYaml: { state: "invalid", layoutFrom: "a".repeat(40) } });
    expect(kept.environments).toEqual(["qa", "live"]);
    expect(images(kept, "api", "live")).toEqual(["nginx:1.27@"]);
    expect(ladderYamlRefusal(kept.layout.ladderYaml)).toMatch(/^ladder\.yaml at memory is invalid: ladder\.yaml:5: /);
    expect(policyConfig(kept)).toBeUndefined();
    expect(viewersConfig(kept)?.environments).toEqual(["qa", "live"]);
    expect(detected.layout.ladderYaml).toMatchObject({ state: "invalid", layoutFrom: null });
  });

  it("a valid or a missing ladder.yaml says so", async () => {
    const tree = { "overlays/dev/kustomization.yaml": "resources: [d.yaml]\n", "overlays/dev/d.yaml": deploy("nginx:1.27") };
    expect((await scanRepository(memorySnapshot(tree))).layout.ladderYaml).toEqual({ state: "missing" });
    const withConfig = { ...tree, "ladder.yaml": "environments: [dev]\napps:\n  - name: api\n    path: overlays/{env}\n" };
    expect((await scanRepository(memorySnapshot(withConfig))).layout.ladderYaml).toEqual({ state: "valid", file: "ladder.yaml" });
  });
});

const deploy = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

describe("scan: bad input never crashes and never guesses", () => {
  it("malformed YAML is a warning on the affected cell with its line", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "envs/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "envs/dev/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  labels: {a: b\n",
        "envs/prod/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "envs/prod/deploy.yaml": deploy("ghcr.io/acme/api:1.0"),
      }),
    );
    const dev = s.apps[0]?.environments.dev;
    expect(dev?.images).toEqual([]);
    expect(dev?.warnings[0]).toMatchObject({ file: "envs/dev/deploy.yaml", code: "yaml-error" });
    expect(dev?.warnings[0]?.line).toBeGreaterThan(1);
    expect(images(s, "api", "prod")).toEqual(["ghcr.io/acme/api:1.0@"]);
  });

  it("an alias bomb is refused with a warning", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    const s = await scanRepository(
      memorySnapshot({
        "envs/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n  - bomb.yaml\n",
        "envs/dev/deploy.yaml": deploy("ghcr.io/acme/api:1.0"),
        "envs/dev/bomb.yaml": `${bomb}\n`,
      }),
    );
    expect(s.warnings).toContainEqual(expect.objectContaining({ file: "envs/dev/bomb.yaml", code: "yaml-alias-limit" }));
    expect(images(s, "api", "dev")).toEqual(["ghcr.io/acme/api:1.0@"]);
  });

  it("resource cycles and path escapes are warnings with file and line", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "envs/dev/kustomization.yaml": "resources:\n  - ../../base\n  - ../../../outside\n  - /etc/passwd\n",
        "base/kustomization.yaml": "resources:\n  - deploy.yaml\n  - ../loop\n",
        "base/deploy.yaml": deploy("ghcr.io/acme/api:1.0"),
        "loop/kustomization.yaml": "resources:\n  - ../base\n",
      }),
    );
    const w = s.apps[0]?.environments.dev?.warnings ?? [];
    expect(w).toContainEqual(expect.objectContaining({ file: "loop/kustomization.yaml", line: 2, code: "cycle" }));
    expect(w).toContainEqual(expect.objectContaining({ file: "envs/dev/kustomization.yaml", line: 3, code: "path-escape" }));
    expect(w).toContainEqual(expect.objectContaining({ file: "envs/dev/kustomization.yaml", line: 4, code: "path-escape" }));
    expect(images(s, "api", "dev")).toEqual(["ghcr.io/acme/api:1.0@"]);
  });

  it("a file over 1 MiB is not read and says so", async () => {
    const big = `${deploy("ghcr.io/acme/api:1.0")}# ${"x".repeat(1024 * 1024)}\n`;
    const s = await scanRepository(
      memorySnapshot({ "envs/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n", "envs/dev/deploy.yaml": big }),
    );
    expect(s.warnings).toContainEqual(expect.objectContaining({ file: "envs/dev/deploy.yaml", code: "file-too-large" }));
  });

  it("remote bases are reported with their URL, not fetched", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "overlays/prod/kustomization.yaml": "resources:\n  - https://github.com/acme/base//deploy?ref=v1\n  - deploy.yaml\n",
        "overlays/prod/deploy.yaml": deploy("ghcr.io/acme/api:2.0"),
      }),
    );
    const cell = s.apps[0]?.environments.prod;
    expect(cell?.remote).toEqual([
      { url: "https://github.com/acme/base//deploy?ref=v1", source: { file: "overlays/prod/kustomization.yaml", line: 2 } },
    ]);
    expect(cell?.warnings).toContainEqual(expect.objectContaining({ code: "remote-base", line: 2 }));
  });

  it("a bare name is shown as the runtime pulls it, labelled implicit latest; a placeholder only with evidence", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "overlays/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "overlays/dev/deploy.yaml": deploy("frontend"),
      }),
    );
    const cell = s.apps[0]?.environments.dev;
    expect(cell?.images).toMatchObject([
      { repository: "frontend", written: "frontend", pull: "docker.io/library/frontend:latest", pinned: false },
    ]);
    expect(cell?.images[0]?.labels?.map((l) => l.kind)).toEqual(["implicit-latest"]);
    expect(cell?.unresolved).toEqual([]);
    expect(cell?.warnings[0]).toMatchObject({ file: "overlays/dev/deploy.yaml", line: 10, code: "implicit-latest" });

    // The same name is a placeholder when skaffold builds an artifact of it: labelled, still shown.
    const withSkaffold = await scanRepository(
      memorySnapshot({
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: frontend\n",
        "overlays/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "overlays/dev/deploy.yaml": deploy("frontend"),
      }),
    );
    const placeholder = withSkaffold.apps[0]?.environments.dev?.images[0];
    expect(placeholder?.labels?.map((l) => [l.kind, l.reason])).toEqual([
      ["placeholder", expect.stringContaining("skaffold.yaml:1")],
    ]);
  });
});

describe("scan: Kustomize semantics", () => {
  it("JSON6902 patches with targets add sidecars; nearest images: layer wins; newTag drops a digest", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "base/kustomization.yaml": `resources:\n  - deploy.yaml\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "0.9"\n`,
        "base/deploy.yaml": deploy(`ghcr.io/acme/api:0.1@${D1}`),
        "comp/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target:\n      kind: Deployment\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/-\n        value:\n          name: proxy\n          image: gcr.io/proxy/p:2@" +
          D2 +
          "\n",
        "envs/prod/kustomization.yaml":
          'resources:\n  - ../../base\ncomponents:\n  - ../../comp\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.0"\n',
        "envs/dev/kustomization.yaml": "resources:\n  - ../../base\n",
      }),
    );
    expect(images(s, "api", "prod")).toEqual([`gcr.io/proxy/p:2@${D2}`, "ghcr.io/acme/api:1.0@"]);
    expect(images(s, "api", "dev")).toEqual(["ghcr.io/acme/api:0.9@"]);
    const proxy = s.apps[0]?.environments.prod?.images.find((i) => i.repository === "gcr.io/proxy/p");
    expect(proxy).toMatchObject({ inherited: true, setBy: "patch", source: { file: "comp/kustomization.yaml", line: 11 } });
  });
});

describe("scan: a number in a string field reads as its text, as the Kustomize build reads it", () => {
  it("plain manifests and container names: one app '2024' in both the overlay and the release manifests", async () => {
    const numbered = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: 2024\nspec:\n  template:\n    spec:\n      containers:\n        - name: 7\n          image: ${image}\n`;
    const s = await scanRepository(
      memorySnapshot({
        "overlays/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "overlays/dev/deploy.yaml": numbered("ghcr.io/acme/api:1.0"),
        "release/deploy.yaml": numbered("ghcr.io/acme/api:2.0"),
      }),
    );
    expect(s.apps.map((a) => a.name)).toEqual(["2024"]);
    const cells = s.apps[0]?.environments ?? {};
    expect(Object.keys(cells)).toEqual(["dev", "release"]);
    for (const cell of Object.values(cells)) expect(cell.images[0]?.usedBy).toEqual(["Deployment/2024:7"]);
  });

  it("a HelmRelease's version: the chart artifact and the unresolved reason say the same", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "overlays/prod/kustomization.yaml": "resources:\n  - release.yaml\n",
        "overlays/prod/release.yaml":
          "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: api\nspec:\n  chart:\n    spec:\n      chart: api\n      version: 1.2\n      sourceRef:\n        kind: HelmRepository\n        name: acme\n",
      }),
    );
    const cell = s.apps[0]?.environments.prod;
    expect(cell?.artifacts).toContainEqual(expect.objectContaining({ kind: "chart", name: "api", version: "1.2" }));
    expect(cell?.unresolved).toContainEqual(
      expect.objectContaining({ reference: "chart:api", reason: expect.stringContaining("with version constraint '1.2'") }),
    );
  });
});

describe("scan context across module copies", () => {
  it("a scan made by one copy of the module is usable by another, and stays out of JSON", async () => {
    const { memorySnapshot } = await import("./memory-snapshot");
    const first = await import("./scan");
    const snap = memorySnapshot({ "overlays/dev/kustomization.yaml": "images:\n  - name: ghcr.io/a/b\n    newTag: '1'\n" });
    const scan = await first.scanRepository(snap);
    vi.resetModules();
    const second = await import("./scan");
    expect(second).not.toBe(first);
    expect(second.scanContext(scan)).toBeDefined();
    expect(JSON.stringify(scan)).not.toContain("builds");
  });
});
