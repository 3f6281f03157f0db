import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { diffEnvironments } from "./overlay-diff";
import { scanRepository } from "./scan";
import type { ScanResult } from "./types";

/**
 * Regular expressions built from repository content must run in linear time: the scan and the diff
 * run on the server thread. Each case here took from seconds to minutes under `new RegExp`
 * (backtracking) and takes milliseconds under RE2. The bounds are generous for a shared machine
 * and still orders of magnitude below the old times.
 */
const BOUND_MS = 1000;

const deploy = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "${name}"\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;

const replaceImage = [
  "    patch: |-",
  "      - op: replace",
  "        path: /spec/template/spec/containers/0/image",
  "        value: ghcr.io/acme/patched:2",
].join("\n");

/** Every image in one environment, over all apps (the scan makes one app per Deployment here). */
function images(scan: ScanResult, env: string): string[] {
  return scan.apps
    .flatMap((a) => a.environments[env]?.images ?? [])
    .map((i) => `${i.repository}:${i.tag ?? ""}`)
    .sort();
}

describe("scan: a catastrophic patch target regex", () => {
  it("`^(a+)+$` against 36 a's and a '!' finishes within the bound and matches like Kustomize", async () => {
    // Under `new RegExp` the cost doubles with each `a` (24 a's: 0.1 s; 30: 54 s reported), so 36 is hours.
    const evil = `${"a".repeat(36)}!`;
    const snap = memorySnapshot({
      "envs/dev/kustomization.yaml": [
        "resources: [evil.yaml, plain.yaml]",
        "patches:",
        "  - target:",
        "      kind: Deployment",
        "      name: ^(a+)+$",
        replaceImage,
        "",
      ].join("\n"),
      "envs/dev/evil.yaml": deploy(evil, "ghcr.io/acme/evil:1"),
      "envs/dev/plain.yaml": deploy("aaaa", "ghcr.io/acme/plain:1"),
      "envs/prod/kustomization.yaml": "resources: [plain.yaml]\n",
      "envs/prod/plain.yaml": deploy("aaaa", "ghcr.io/acme/plain:1"),
    });
    const started = performance.now();
    const s = await scanRepository(snap);
    const millis = performance.now() - started;
    expect(millis).toBeLessThan(BOUND_MS);
    // `aaaa` matches and is patched; the name with a '!' does not.
    expect(images(s, "dev")).toEqual(["ghcr.io/acme/evil:1", "ghcr.io/acme/patched:2"]);
    expect(images(s, "prod")).toEqual(["ghcr.io/acme/plain:1"]);
  });

  it("an invalid target pattern is a warning at its line, and the patch is not applied", async () => {
    const snap = memorySnapshot({
      "envs/dev/kustomization.yaml": [
        "resources: [plain.yaml]",
        "patches:",
        "  - target:",
        "      kind: Deployment",
        "      name: (aaaa",
        replaceImage,
        "",
      ].join("\n"),
      "envs/dev/plain.yaml": deploy("aaaa", "ghcr.io/acme/plain:1"),
      "envs/prod/kustomization.yaml": "resources: [plain.yaml]\n",
      "envs/prod/plain.yaml": deploy("aaaa", "ghcr.io/acme/plain:1"),
    });
    const s = await scanRepository(snap);
    expect(images(s, "dev")).toEqual(["ghcr.io/acme/plain:1"]);
    expect(s.apps.find((a) => a.name === "aaaa")?.environments.dev?.warnings).toContainEqual(
      expect.objectContaining({
        file: "envs/dev/kustomization.yaml",
        line: 5,
        code: "patch-error",
        message: expect.stringContaining("missing closing )"),
      }),
    );
  });
});

describe("diffEnvironments: allowedDrift globs and key paths from the repository", () => {
  it("a glob of many `*` against a long key finishes within the bound", async () => {
    // `*a*a…*b` is `[^.]+a[^.]+a…[^.]+b` under the old `new RegExp`: polynomial backtracking of
    // degree 12 in the key's length (eight `*` on 40 characters already took 0.4 s).
    const glob = `${"*a".repeat(11)}*b`;
    const key = "a".repeat(48);
    const annotated = (value: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    ${key}: "${value}"\n`;
    const snap = memorySnapshot({
      "ladder.yaml": [
        "environments:",
        "  - staging",
        "  - name: prod",
        `    allowedDrift: ["${glob}", "replicas"]`,
        "apps:",
        "  - name: web",
        "    path: overlays/{env}",
        "",
      ].join("\n"),
      "overlays/staging/kustomization.yaml": "resources: [deploy.yaml]\n",
      "overlays/staging/deploy.yaml": annotated("1"),
      "overlays/prod/kustomization.yaml": "resources: [deploy.yaml]\n",
      "overlays/prod/deploy.yaml": annotated("2"),
    });
    const scan = await scanRepository(snap);
    const started = performance.now();
    const d = await diffEnvironments(snap, scan, "web", "staging", "prod");
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(d.semantic).toEqual([expect.objectContaining({ keyPath: `metadata.annotations.${key}`, classification: "drift" })]);
  });

  it("globs keep their meaning: `*` is one segment, `**` any number, list selectors are segments", async () => {
    const deployWith = (cpu: string, value: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/web:1\n          resources: {limits: {cpu: "${cpu}"}}\n          env:\n            - name: MODE\n              value: "${value}"\n`;
    const snap = memorySnapshot({
      "ladder.yaml": [
        "environments:",
        "  - staging",
        "  - name: prod",
        '    allowedDrift: ["containers.*.resources.**", "env.MODE.valu"]',
        "apps:",
        "  - name: web",
        "    path: overlays/{env}",
        "",
      ].join("\n"),
      "overlays/staging/kustomization.yaml": "resources: [deploy.yaml]\n",
      "overlays/staging/deploy.yaml": deployWith("1", "a"),
      "overlays/prod/kustomization.yaml": "resources: [deploy.yaml]\n",
      "overlays/prod/deploy.yaml": deployWith("2", "b"),
    });
    const d = await diffEnvironments(snap, await scanRepository(snap), "web", "staging", "prod");
    expect(d.semantic).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          keyPath: "spec.template.spec.containers[app].resources.limits.cpu",
          classification: "expected",
          reason: "allowed to differ (containers.*.resources.**)",
        }),
        // A glob matches whole segments: `valu` is not `value`.
        expect.objectContaining({ keyPath: "spec.template.spec.containers[app].env[MODE].value", classification: "drift" }),
      ]),
    );
  });
});
