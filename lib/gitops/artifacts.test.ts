import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";

const SHA = "0123456789abcdef0123456789abcdef01234567";

function helmRelease(version: string | undefined): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      chart: podinfo
${version === undefined ? "" : `      version: "${version}"\n`}      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo
      tag: 6.5.0
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
spec:
  url: https://stefanprodan.github.io/podinfo
`;
}

describe("artifacts beyond images: chart versions and remote bases", () => {
  it("reads a Flux HelmRelease's chart version per environment, and says when it is a constraint", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "apps/staging/kustomization.yaml": "resources:\n  - release.yaml\n",
        "apps/staging/release.yaml": helmRelease(">=6.0.0"),
        "apps/production/kustomization.yaml": "resources:\n  - release.yaml\n",
        "apps/production/release.yaml": helmRelease("6.5.4"),
      }),
    );
    const cells = s.apps[0]?.environments ?? {};
    expect(cells.production?.artifacts).toEqual([
      {
        kind: "chart",
        name: "podinfo",
        version: "6.5.4",
        pinned: true,
        source: { file: "apps/production/release.yaml", line: 9 },
        from: "https://stefanprodan.github.io/podinfo",
      },
    ]);
    expect(cells.staging?.artifacts?.[0]).toMatchObject({
      version: ">=6.0.0",
      pinned: false,
      note: "version constraint '>=6.0.0', not one version",
    });
  });

  it("reads a remote base's ?ref= and flags a branch as unpinned", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "deploy/overlays/staging/kustomization.yaml": `resources:\n  - https://github.com/acme/platform//base/api?ref=main\n`,
        "deploy/overlays/prod/kustomization.yaml": `resources:\n  - https://github.com/acme/platform//base/api?ref=${SHA}\n`,
      }),
    );
    const cells = s.apps[0]?.environments ?? {};
    expect(cells.prod?.artifacts).toEqual([
      {
        kind: "remote-base",
        name: "https://github.com/acme/platform//base/api",
        version: SHA,
        pinned: true,
        source: { file: "deploy/overlays/prod/kustomization.yaml", line: 2 },
      },
    ]);
    expect(cells.staging?.artifacts?.[0]).toMatchObject({ version: "main", pinned: false });
    expect(cells.staging?.warnings.map((w) => w.code)).toContain("unpinned-ref");
    expect(cells.prod?.warnings.map((w) => w.code)).not.toContain("unpinned-ref");
  });

  it("lists a chart's Chart.yaml dependencies with their versions", async () => {
    const s = await scanRepository(
      memorySnapshot({
        "charts/shop/Chart.yaml":
          "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 19.6.1\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        "charts/shop/values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 1.0.0\n",
        "charts/shop/values-prod.yaml": "image:\n  tag: 1.0.1\n",
      }),
    );
    const prod = s.apps.find((a) => a.name === "shop")?.environments.prod;
    expect(prod?.artifacts).toEqual([
      {
        kind: "chart",
        name: "redis",
        version: "19.6.1",
        pinned: true,
        source: { file: "charts/shop/Chart.yaml", line: 6 },
        from: "oci://registry-1.docker.io/bitnamicharts",
      },
    ]);
  });
});
