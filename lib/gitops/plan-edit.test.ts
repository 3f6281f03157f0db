import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { EditPlanError, planDigestEdit } from "./plan-edit";
import { scanRepository } from "./scan";
import { type GeneratedTree, overlayTreeArb } from "./test-support/generated-overlays";

const hex = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);

/** Lines the unified diff adds or removes (headers excluded). */
function changedLines(diff: string): { added: string[]; removed: string[] } {
  const lines = diff.split("\n").filter((l) => !l.startsWith("+++") && !l.startsWith("---"));
  return {
    added: lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1)),
    removed: lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1)),
  };
}

/** Checks one generated case; false when it had no image to edit, so nothing past the scan was checked. */
async function runProperty(tree: GeneratedTree, targetIndex: number, digest: string): Promise<boolean> {
  const snap = memorySnapshot(tree.files);
  const scan = await scanRepository(snap);
  const cell = scan.apps[0]?.environments.prod;
  expect(cell, JSON.stringify(scan.warnings)).toBeDefined();
  const imgs = cell?.images ?? [];
  const target = imgs[targetIndex % imgs.length];
  if (!target) return false;
  const plan = await planDigestEdit(snap, scan, { app: scan.apps[0]?.name ?? "", env: "prod", image: target.repository, digest });

  // Only the environment's own files change, never the base.
  expect(plan.path.startsWith("envs/prod/")).toBe(true);
  expect(plan.minimal).toBe(true);

  // Re-resolving the edited tree gives the new digest; everything else is unchanged.
  const edited = memorySnapshot({ ...tree.files, [plan.path]: plan.after });
  const again = await scanRepository(edited);
  const prodAfter = again.apps[0]?.environments.prod?.images ?? [];
  const moved = prodAfter.find((i) => i.repositoryNormalised === target.repositoryNormalised);
  expect(moved?.digest).toBe(digest);
  expect(moved?.tag).toBe(target.tag);
  const others = (xs: typeof imgs) =>
    xs
      .filter((i) => i.repositoryNormalised !== target.repositoryNormalised)
      .map((i) => `${i.repository}:${i.tag}@${i.digest}`)
      .sort();
  expect(others(prodAfter)).toEqual(others(imgs));
  expect(again.apps[0]?.environments.dev?.images).toEqual(scan.apps[0]?.environments.dev?.images);

  // The diff is the digest line(s): every added line carries the digest or belongs to a new images: entry.
  const { added, removed } = changedLines(plan.unifiedDiff);
  expect(added.some((l) => l.includes(digest))).toBe(true);
  for (const l of added) expect(l.includes(digest) || /^\s*(images:|- name: |newTag: )/.test(l), l).toBe(true);
  expect(removed.length).toBeLessThanOrEqual(added.filter((l) => l.includes(digest)).length);
  // Comments survive.
  for (const c of plan.before.split("\n").filter((l) => l.trim().startsWith("#"))) expect(plan.after).toContain(c);
  return true;
}

describe("planDigestEdit (property: any generated overlay)", () => {
  // The work is bounded (100 generated trees, two scans each: ~2 s idle); the timeout is only a
  // net for a hang, wide enough for a 2-core machine running the other suites at the same time.
  it("changes only the env's own file, only digest lines, and re-resolves to the new digest", { timeout: 30_000 }, async () => {
    const runs = 100;
    let edited = 0;
    await fc.assert(
      fc.asyncProperty(overlayTreeArb, fc.nat(10), hex, async (tree, idx, digest) => {
        if (await runProperty(tree, idx, digest)) edited++;
      }),
      { numRuns: runs },
    );
    // A generator that stopped producing images would skip every edit check and still pass.
    expect(edited, `cases that reached the edit checks, of ${runs}`).toBeGreaterThanOrEqual(runs / 2);
  });
});

describe("planDigestEdit (examples)", () => {
  const base = {
    "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    "base/deploy.yaml":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n",
  };
  const D = `sha256:${"c".repeat(64)}`;

  it("adds an images: entry when the env inherits the image, keeping the tag", async () => {
    const files = { ...base, "envs/prod/kustomization.yaml": "# prod\nresources:\n  - ../../base\n" };
    const snap = memorySnapshot(files);
    const plan = await planDigestEdit(snap, await scanRepository(snap), {
      app: "api",
      env: "prod",
      image: "ghcr.io/acme/api",
      digest: D,
    });
    expect(plan.path).toBe("envs/prod/kustomization.yaml");
    expect(plan.after).toBe(
      `# prod\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.0"\n    digest: ${D}\n`,
    );
    expect(plan.unifiedDiff).toContain(`+    digest: ${D}`);
  });

  it("keeps double quotes and comments when replacing a digest", async () => {
    const old = `sha256:${"a".repeat(64)}`;
    const files = {
      ...base,
      "envs/prod/kustomization.yaml": `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api # the api\n    newTag: "1.0"\n    digest: "${old}" # pinned\n`,
    };
    const snap = memorySnapshot(files);
    const plan = await planDigestEdit(snap, await scanRepository(snap), {
      app: "api",
      env: "prod",
      image: "ghcr.io/acme/api",
      digest: D,
    });
    expect(plan.after).toBe(files["envs/prod/kustomization.yaml"].replace(old, D));
  });

  it("refuses an image the environment does not run", async () => {
    const files = { ...base, "envs/prod/kustomization.yaml": "resources:\n  - ../../base\n" };
    const snap = memorySnapshot(files);
    await expect(
      planDigestEdit(snap, await scanRepository(snap), { app: "api", env: "prod", image: "ghcr.io/acme/other", digest: D }),
    ).rejects.toThrow(/not deployed/);
  });

  // Found by test/unit/fuzz-gitops.test.ts: a values file holding only comments has no YAML
  // document, and the edit threw "YAML document 0 not found" instead of planning or refusing.
  it("sets the digest in an environment's values file that holds only comments", async () => {
    const files = {
      "ladder.yaml":
        'version: 1\nenvironments: [dev, prod]\napps:\n  - name: worker\n    format: helm\n    path: helm/{app}/values-{env}.yaml\n    helm:\n      valueFiles: ["helm/{app}/values.yaml"]\n',
      "helm/worker/values.yaml": 'image:\n  repository: acme/worker\n  tag: 3.0.0\n  digest: ""\n',
      "helm/worker/values-dev.yaml": "# dev follows main\n#  tag: 3.1.0\n",
      "helm/worker/values-prod.yaml": `image:\n  digest: ${D}\n`,
    };
    const snap = memorySnapshot(files);
    const digest = `sha256:${"ab".repeat(32)}`;
    const plan = await planDigestEdit(snap, await scanRepository(snap), {
      app: "worker",
      env: "dev",
      image: "acme/worker",
      digest,
    });
    expect(plan.path).toBe("helm/worker/values-dev.yaml");
    expect(plan.after).toBe(`# dev follows main\n#  tag: 3.1.0\nimage:\n  digest: ${digest}\n`);
    const again = await scanRepository(memorySnapshot({ ...files, [plan.path]: plan.after }));
    expect(again.apps.find((a) => a.name === "worker")?.environments.dev?.images[0]?.digest).toBe(digest);
  });

  // Found by test/unit/fuzz-gitops.test.ts: the scan reads a file with a duplicate key (last one
  // wins) but the editor refuses it — and that plain Error escaped previewPromotion as a 500.
  it("refuses, as an EditPlanError naming the file, an own file the editor cannot parse", async () => {
    const prod = `namespace: a\nnamespace: b\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${D}\n`;
    const files = { ...base, "envs/prod/kustomization.yaml": prod };
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    expect(scan.apps[0]?.environments.prod?.images[0]?.digest).toBe(D);
    const attempt = planDigestEdit(snap, scan, {
      app: "api",
      env: "prod",
      image: "ghcr.io/acme/api",
      digest: `sha256:${"d".repeat(64)}`,
    });
    await expect(attempt).rejects.toBeInstanceOf(EditPlanError);
    await expect(attempt).rejects.toThrow(/cannot edit envs\/prod\/kustomization.yaml: .*unique/);
  });
});

// #14: a promotion sets the whole reference the source runs. Before, only the digest moved and
// prod's overlay read `newTag: "1.2.0"` beside 1.3.0's digest.
describe("planDigestEdit moves the tag with the digest", () => {
  const deploy = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;
  const OLD = `sha256:${"a".repeat(64)}`;
  const NEW = `sha256:${"b".repeat(64)}`;
  const base = { "base/kustomization.yaml": "resources:\n  - deploy.yaml\n", "base/deploy.yaml": deploy("ghcr.io/acme/api:1.0") };

  async function plan(files: Record<string, string>, req: { digest?: string; tag?: string | null }, env = "prod") {
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    const p = await planDigestEdit(snap, scan, { app: scan.apps[0]?.name ?? "", env, image: "ghcr.io/acme/api", ...req });
    const again = await scanRepository(memorySnapshot({ ...files, [p.path]: p.after }));
    return { plan: p, after: again.apps[0]?.environments[env]?.images[0], lines: changedLines(p.unifiedDiff) };
  }

  it("sets newTag and digest of the environment's images entry: exactly those two lines", async () => {
    const prod = `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.2.0" # prod\n    digest: ${OLD}\n`;
    const r = await plan({ ...base, "envs/prod/kustomization.yaml": prod }, { digest: NEW, tag: "1.3.0" });
    expect(r.plan.after).toBe(prod.replace('"1.2.0"', '"1.3.0"').replace(OLD, NEW));
    expect(r.lines.added).toEqual(['    newTag: "1.3.0" # prod', `    digest: ${NEW}`]);
    expect(r.lines.removed).toHaveLength(2);
    expect(r.after).toMatchObject({ tag: "1.3.0", digest: NEW });
    expect(r.plan.to).toEqual({ repository: "ghcr.io/acme/api", tag: "1.3.0", digest: NEW });
    expect(r.plan.description).toBe("set digest and tag of images entry 0 in envs/prod/kustomization.yaml");
  });

  it("adds the source's tag beside the digest in a new images entry", async () => {
    const r = await plan(
      { ...base, "envs/prod/kustomization.yaml": "resources:\n  - ../../base\n" },
      { digest: NEW, tag: "1.3.0" },
    );
    expect(r.lines.added).toEqual(["images:", "  - name: ghcr.io/acme/api", "    newTag: 1.3.0", `    digest: ${NEW}`]);
    expect(r.after).toMatchObject({ tag: "1.3.0", digest: NEW });
  });

  it("drops the environment's tag when the source runs a bare digest (Kustomize would render tag@digest)", async () => {
    const prod = `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.2.0"\n    digest: ${OLD}\n`;
    const r = await plan({ ...base, "envs/prod/kustomization.yaml": prod }, { digest: NEW, tag: null });
    expect(r.plan.after).toBe(`resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${NEW}\n`);
    expect(r.after).toMatchObject({ digest: NEW, tag: null });
  });

  it("promotes a tag alone (allowTagOnly), removing the digest pin the environment had", async () => {
    const prod = `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.2.0"\n    digest: ${OLD}\n`;
    const r = await plan({ ...base, "envs/prod/kustomization.yaml": prod }, { tag: "1.3.0" });
    expect(r.plan.after).toBe(`resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.3.0"\n`);
    expect(r.after).toMatchObject({ tag: "1.3.0", digest: null });
    expect(r.plan.to.digest).toBeNull();
  });

  it("writes repo:tag@digest into an image: string the environment owns", async () => {
    const files = {
      "envs/dev/deploy.yaml": deploy(`ghcr.io/acme/api:1.3.0@${NEW}`),
      "envs/dev/kustomization.yaml": "resources:\n  - deploy.yaml\n",
      "envs/prod/deploy.yaml": deploy(`ghcr.io/acme/api:1.2.0@${OLD}`),
      "envs/prod/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    };
    const r = await plan(files, { digest: NEW, tag: "1.3.0" });
    expect(r.lines.added).toEqual([`          image: ghcr.io/acme/api:1.3.0@${NEW}`]);
    expect(r.after).toMatchObject({ tag: "1.3.0", digest: NEW });
  });

  it("sets the tag and digest keys of Helm values", async () => {
    const files = {
      "ladder.yaml":
        'version: 1\nenvironments: [staging, prod]\napps:\n  - name: api\n    format: helm\n    path: helm/{app}/values-{env}.yaml\n    helm:\n      valueFiles: ["helm/{app}/values.yaml"]\n',
      "helm/api/values.yaml": 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.0.0\n  digest: ""\n',
      "helm/api/values-staging.yaml": `image:\n  tag: 1.3.0\n  digest: ${NEW}\n`,
      "helm/api/values-prod.yaml": `image:\n  tag: 1.2.0 # prod\n  digest: ${OLD}\n`,
    };
    const r = await plan(files, { digest: NEW, tag: "1.3.0" });
    expect(r.plan.after).toBe(`image:\n  tag: 1.3.0 # prod\n  digest: ${NEW}\n`);
    expect(r.after).toMatchObject({ tag: "1.3.0", digest: NEW });
    expect(r.plan.description).toBe("set image.digest and image.tag in helm/api/values-prod.yaml");
  });
});

// #14 item 3: promoting into an environment that fans out edits its shared file; the plan says
// which targets that reaches and which keep a pin of their own.
describe("planDigestEdit into an environment with targets", () => {
  const OLD = `sha256:${"a".repeat(64)}`;
  const NEW = `sha256:${"b".repeat(64)}`;
  const CANARY = `sha256:${"c".repeat(64)}`;
  const images = (tag: string, digest: string) =>
    `images:\n  - name: ghcr.io/acme/api\n    newTag: "${tag}"\n    digest: ${digest}\n`;
  const files = {
    "ladder.yaml":
      "version: 1\nenvironments:\n  - staging\n  - name: prod\n    targets: [eu, us]\napps:\n  - name: api\n    path: envs/{env}/{target}\n    envPath: envs/{env}/base\n    paths:\n      staging: envs/staging\n",
    "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    "base/deploy.yaml":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n",
    "envs/staging/kustomization.yaml": `resources:\n  - ../../base\n${images("1.3.0", NEW)}`,
    "envs/prod/base/kustomization.yaml": `resources:\n  - ../../../base\n${images("1.2.0", OLD)}`,
    "envs/prod/eu/kustomization.yaml": "resources:\n  - ../base\n",
    "envs/prod/us/kustomization.yaml": `resources:\n  - ../base\n${images("1.2.1-rc", CANARY)}`,
  };

  it("edits the shared file and reports eu reached, us keeping its canary", async () => {
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    expect(Object.keys(scan.apps[0]?.environments.prod?.targets ?? {})).toEqual(["eu", "us"]);
    const plan = await planDigestEdit(snap, scan, {
      app: "api",
      env: "prod",
      image: "ghcr.io/acme/api",
      digest: NEW,
      tag: "1.3.0",
    });
    expect(plan.path).toBe("envs/prod/base/kustomization.yaml");
    expect(plan.targets).toEqual([
      { name: "eu", path: "envs/prod/eu", reached: true, runs: { tag: "1.3.0", digest: NEW } },
      { name: "us", path: "envs/prod/us", reached: false, runs: { tag: "1.2.1-rc", digest: CANARY } },
    ]);
  });
});

describe("planDigestEdit into one target (a canary)", () => {
  const OLD = `sha256:${"a".repeat(64)}`;
  const NEW = `sha256:${"b".repeat(64)}`;
  const files = {
    "ladder.yaml":
      "version: 1\nenvironments:\n  - staging\n  - name: prod\n    targets: [eu, us]\napps:\n  - name: api\n    path: envs/{env}/{target}\n    envPath: envs/{env}/base\n    paths:\n      staging: envs/staging\n",
    "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    "base/deploy.yaml":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n",
    "envs/staging/kustomization.yaml": `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.3.0"\n    digest: ${NEW}\n`,
    "envs/prod/base/kustomization.yaml": `resources:\n  - ../../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.2.0"\n    digest: ${OLD}\n`,
    "envs/prod/eu/kustomization.yaml": "resources:\n  - ../base\n",
    "envs/prod/us/kustomization.yaml": "# us-east\nresources:\n  - ../base\n",
  };

  it("pins the image in the target's own overlay; the other target keeps the shared pin", async () => {
    const snap = memorySnapshot(files);
    const scan = await scanRepository(snap);
    const plan = await planDigestEdit(snap, scan, {
      app: "api",
      env: "prod",
      target: "us",
      image: "ghcr.io/acme/api",
      digest: NEW,
      tag: "1.3.0",
    });
    expect(plan.path).toBe("envs/prod/us/kustomization.yaml");
    expect(plan.after).toBe(
      `# us-east\nresources:\n  - ../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.3.0\n    digest: ${NEW}\n`,
    );
    expect(plan.targets).toEqual([
      { name: "eu", path: "envs/prod/eu", reached: false, runs: { tag: "1.2.0", digest: OLD } },
      { name: "us", path: "envs/prod/us", reached: true, runs: { tag: "1.3.0", digest: NEW } },
    ]);
  });

  it("refuses a target the environment does not have, naming the ones it has", async () => {
    const snap = memorySnapshot(files);
    await expect(
      planDigestEdit(snap, await scanRepository(snap), {
        app: "api",
        env: "prod",
        target: "ap",
        image: "ghcr.io/acme/api",
        digest: NEW,
      }),
    ).rejects.toThrow("prod has no target ap (targets: eu, us)");
  });
});
