import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { planArtifactEdit, withRef } from "./plan-artifact-edit";
import { EditPlanError } from "./plan-edit";
import { scanRepository } from "./scan";

const SHA_A = "0123456789abcdef0123456789abcdef01234567";
const SHA_B = "89abcdef0123456789abcdef0123456789abcdef";

function release(version: string, comment = ""): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: ${version}${comment}
      sourceRef:
        kind: HelmRepository
        name: podinfo
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
spec:
  url: https://stefanprodan.github.io/podinfo
`;
}

/** Lines the unified diff adds or removes (headers excluded). */
function changedLines(diff: string): { added: string[]; removed: string[] } {
  const lines = diff.split("\n").filter((l) => !l.startsWith("+++") && !l.startsWith("---"));
  return {
    added: lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1)),
    removed: lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1)),
  };
}

/** Plans the edit for the repository's one app (whatever layout detection names it). */
async function plan(files: Record<string, string>, req: Omit<Parameters<typeof planArtifactEdit>[2], "app">) {
  const snap = memorySnapshot(files);
  const scan = await scanRepository(snap);
  const result = await planArtifactEdit(snap, scan, { app: scan.apps[0]?.name ?? "", ...req });
  const again = await scanRepository(memorySnapshot({ ...files, [result.path]: result.after }));
  return { scan, result, again };
}

describe("planArtifactEdit: chart versions", () => {
  it("sets a HelmRelease's spec.chart.spec.version in the environment's own file, and only that line", async () => {
    const files = {
      "apps/staging/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/staging/release.yaml": release('"6.6.0"'),
      "apps/production/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/production/release.yaml": release('"6.5.0"', " # bumped by hand"),
    };
    const { result, again } = await plan(files, {
      env: "production",
      kind: "chart",
      name: "podinfo",
      version: "6.6.0",
    });
    expect(result.path).toBe("apps/production/release.yaml");
    expect(result.minimal).toBe(true);
    expect(result.description).toBe("set spec.chart.spec.version in apps/production/release.yaml");
    expect(result.from.version).toBe("6.5.0");
    expect(changedLines(result.unifiedDiff)).toEqual({
      removed: ['      version: "6.5.0" # bumped by hand'],
      added: ['      version: "6.6.0" # bumped by hand'],
    });
    expect(again.apps[0]?.environments.production?.artifacts?.[0]?.version).toBe("6.6.0");
    expect(again.apps[0]?.environments.staging?.artifacts).toEqual(
      (await scanRepository(memorySnapshot(files))).apps[0]?.environments.staging?.artifacts,
    );
  });

  it("edits the environment's own patch of a shared HelmRelease", async () => {
    const patch = (v: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      version: ${v}\n`;
    const files = {
      "base/kustomization.yaml": "resources:\n  - release.yaml\n",
      "base/release.yaml": release("6.0.0"),
      "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: version.yaml\n",
      "overlays/staging/version.yaml": patch("6.6.0"),
      "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: version.yaml\n",
      "overlays/prod/version.yaml": patch("6.5.0"),
    };
    const { result, again } = await plan(files, { env: "prod", kind: "chart", name: "podinfo", version: "6.6.0" });
    expect(result.path).toBe("overlays/prod/version.yaml");
    expect(result.after).toBe(patch("6.6.0"));
    expect(again.apps[0]?.environments.prod?.artifacts?.[0]?.version).toBe("6.6.0");
  });

  it("refuses a version set only in a shared base, naming the file", async () => {
    const files = {
      "base/kustomization.yaml": "resources:\n  - release.yaml\n",
      "base/release.yaml": release("6.0.0"),
      "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
      "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
    };
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    const req = { app: "podinfo", env: "prod", kind: "chart" as const, name: "podinfo", version: "6.6.0" };
    await expect(planArtifactEdit(snap, scan, req)).rejects.toThrow(EditPlanError);
    await expect(planArtifactEdit(snap, scan, req)).rejects.toThrow(
      /chart podinfo is set in base\/release\.yaml, which prod shares with other environments/,
    );
  });

  it("refuses a Chart.yaml dependency of a chart every environment shares, naming Chart.yaml", async () => {
    const files = {
      "charts/shop/Chart.yaml":
        "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 19.6.1\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
      "charts/shop/values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 1.0.0\n",
      "charts/shop/values-staging.yaml": "image:\n  tag: 1.0.1\n",
      "charts/shop/values-prod.yaml": "image:\n  tag: 1.0.0\n",
    };
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    await expect(
      planArtifactEdit(snap, scan, { app: "shop", env: "prod", kind: "chart", name: "redis", version: "19.7.0" }),
    ).rejects.toThrow(/chart redis is set in charts\/shop\/Chart\.yaml, which prod shares/);
  });

  it("sets a Chart.yaml dependency's version where the environment has a chart of its own", async () => {
    const chart = (v: string) =>
      `apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  # the cache\n  - name: redis\n    version: ${v}\n    repository: oci://registry-1.docker.io/bitnamicharts\n`;
    const files = {
      "ladder.yaml":
        "environments: [staging, prod]\napps:\n  - name: shop\n    format: helm\n    path: envs/{env}/values.yaml\n    helm:\n      chart: envs/{env}\n",
      "envs/staging/Chart.yaml": chart("19.6.1"),
      "envs/staging/values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 1.0.0\n",
      "envs/prod/Chart.yaml": chart("19.5.0"),
      "envs/prod/values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 1.0.0\n",
    };
    const { result, again } = await plan(files, { env: "prod", kind: "chart", name: "redis", version: "19.6.1" });
    expect(result.path).toBe("envs/prod/Chart.yaml");
    expect(result.description).toBe("set dependencies.0.version in envs/prod/Chart.yaml");
    expect(result.after).toBe(chart("19.6.1"));
    expect(again.apps[0]?.environments.prod?.artifacts?.[0]?.version).toBe("19.6.1");
  });

  it("adds a version beside chart: where the environment set none", async () => {
    const files = {
      "apps/staging/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/staging/release.yaml": release("6.6.0"),
      "apps/production/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/production/release.yaml": release("6.5.0").replace("      version: 6.5.0\n", ""),
    };
    const { result, again } = await plan(files, { env: "production", kind: "chart", name: "podinfo", version: "6.6.0" });
    expect(result.from.version).toBeNull();
    expect(changedLines(result.unifiedDiff)).toEqual({ removed: [], added: ["      version: 6.6.0"] });
    expect(again.apps[0]?.environments.production?.artifacts?.[0]).toMatchObject({ version: "6.6.0", pinned: true });
  });

  it("refuses an artifact the environment does not run, and a version that is not one", async () => {
    const files = {
      "apps/staging/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/staging/release.yaml": release("6.6.0"),
      "apps/production/kustomization.yaml": "resources:\n  - release.yaml\n",
      "apps/production/release.yaml": release("6.5.0"),
    };
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    const base = { app: scan.apps[0]?.name ?? "", env: "production", kind: "chart" as const };
    await expect(planArtifactEdit(snap, scan, { ...base, name: "nginx", version: "1.0.0" })).rejects.toThrow(
      /chart nginx is not deployed in production \(found: chart podinfo\)/,
    );
    await expect(planArtifactEdit(snap, scan, { ...base, name: "podinfo", version: "6.6.0\nx: y" })).rejects.toThrow(
      /not a version/,
    );
  });
});

describe("planArtifactEdit: remote bases", () => {
  it("sets ?ref= inside the resources entry, keeping the rest of the URL and the file", async () => {
    const k = (ref: string) =>
      `# prod\nresources:\n  - https://github.com/acme/platform//base/api?ref=${ref}&timeout=90s # pinned\n  - extra.yaml\n`;
    const extra = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n";
    const files = {
      "deploy/overlays/staging/kustomization.yaml": k(SHA_B),
      "deploy/overlays/staging/extra.yaml": extra,
      "deploy/overlays/prod/kustomization.yaml": k(SHA_A),
      "deploy/overlays/prod/extra.yaml": extra,
    };
    const { result, again } = await plan(files, {
      env: "prod",
      kind: "remote-base",
      name: "https://github.com/acme/platform//base/api",
      version: SHA_B,
    });
    expect(result.path).toBe("deploy/overlays/prod/kustomization.yaml");
    expect(result.after).toBe(k(SHA_B));
    expect(result.minimal).toBe(true);
    expect(result.description).toBe("set ?ref= of resources entry 0 in deploy/overlays/prod/kustomization.yaml");
    expect(again.apps[0]?.environments.prod?.artifacts?.[0]).toMatchObject({ version: SHA_B, pinned: true });
  });

  it("sets ?version= when that is the parameter the base uses", async () => {
    const k = (v: string) => `resources:\n- github.com/acme/platform/base/api?version=${v}\n`;
    const files = { "overlays/staging/kustomization.yaml": k("v1.3.0"), "overlays/prod/kustomization.yaml": k("v1.2.0") };
    const { result, again } = await plan(files, {
      env: "prod",
      kind: "remote-base",
      name: "github.com/acme/platform/base/api",
      version: "v1.3.0",
    });
    expect(result.after).toBe(k("v1.3.0"));
    expect(again.apps[0]?.environments.prod?.artifacts?.[0]?.version).toBe("v1.3.0");
  });

  it("refuses a remote base only a shared base references", async () => {
    const files = {
      "base/kustomization.yaml": `resources:\n  - https://github.com/acme/platform//base/api?ref=${SHA_A}\n`,
      "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
      "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
    };
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    const app = scan.apps[0]?.name ?? "";
    await expect(
      planArtifactEdit(snap, scan, {
        app,
        env: "prod",
        kind: "remote-base",
        name: "https://github.com/acme/platform//base/api",
        version: SHA_B,
      }),
    ).rejects.toThrow(/is set in base\/kustomization\.yaml, which prod shares/);
  });
});

describe("withRef (property)", () => {
  it("changes the ref parameter's value and nothing else", () => {
    const word = fc.stringMatching(/^[a-z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.stringMatching(/^https:\/\/github\.com\/[a-z]{1,8}\/[a-z]{1,8}\/\/[a-z/]{1,10}$/),
        fc.array(fc.tuple(fc.constantFrom("timeout", "submodules", "depth"), word), { maxLength: 3 }),
        fc.constantFrom("ref", "version", undefined),
        fc.nat(3),
        word,
        word,
        (base, others, key, at, oldRef, newRef) => {
          const params = others.map(([k, v]) => `${k}=${v}`);
          if (key) params.splice(Math.min(at, params.length), 0, `${key}=${oldRef}`);
          const url = params.length ? `${base}?${params.join("&")}` : base;
          const out = withRef(url, newRef);
          const q = new URLSearchParams(out.slice(out.indexOf("?") + 1));
          expect(q.get(key ?? "ref")).toBe(newRef);
          expect(out.startsWith(base)).toBe(true);
          for (const p of params.filter((p) => !p.startsWith(`${key}=`))) expect(out).toContain(p);
          if (key) expect(out.length - url.length).toBe(newRef.length - oldRef.length);
        },
      ),
    );
  });
});
