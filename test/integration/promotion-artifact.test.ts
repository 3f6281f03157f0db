/**
 * Chart versions and remote-base refs promoted like images (#14 item 4), end to end against a
 * real Postgres and the GitHub-compatible server (strict OpenAPI mode): a Flux HelmRelease per
 * environment, staging on a newer pinned chart than prod for days — preview allowed, one PR that
 * changes only prod's version line, merged, and prod runs it; a range in staging, a version set
 * only in a shared base, a fresh version inside the soak, and a frozen prod are refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PromotionStatus } from "../../lib/generated/prisma/client";
import type { Actor } from "../../lib/promotion/context";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { commit, ladderYaml, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
const SHA_OLD = "0123456789abcdef0123456789abcdef01234567";
const SHA_NEW = "89abcdef0123456789abcdef0123456789abcdef";
const REMOTE = "https://github.com/acme/platform//base/api";
const DAY = 86_400_000;
let world: World;

function release(version: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      # the chart's version: promoted by Ladder
      version: "${version}"
      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    replicaCount: 2
`;
}

function versionPatch(version: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      version: "${version}"\n`;
}

const own = "resources:\n  - release.yaml\n";

/** Apps whose environments each run a HelmRelease (or a remote base), committed `at`. */
function artifactApps(versions: Record<string, [string, string, string]>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [app, [dev, staging, prod]] of Object.entries(versions)) {
    for (const [env, v] of [
      ["dev", dev],
      ["staging", staging],
      ["prod", prod],
    ] as const) {
      files[`apps/${app}/overlays/${env}/kustomization.yaml`] = own;
      files[`apps/${app}/overlays/${env}/release.yaml`] = release(v);
    }
  }
  return files;
}

beforeAll(async () => {
  world = await startWorld({ apps: ["api"], ladder: { prod: { soak: "24h" } } });
  const fiveDaysAgo = new Date(Date.now() - 5 * DAY);
  const files: Record<string, string> = {
    ...artifactApps({ podinfo: ["6.7.0", "6.6.0", "6.5.0"], ranged: ["6.7.0", ">=6.0.0", "6.5.0"] }),
    // A version set only in the shared base for prod; staging patches its own.
    "apps/shared/base/kustomization.yaml": "resources:\n  - release.yaml\n",
    "apps/shared/base/release.yaml": release("6.0.0"),
    "apps/shared/overlays/dev/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: version.yaml\n",
    "apps/shared/overlays/dev/version.yaml": versionPatch("6.6.0"),
    "apps/shared/overlays/staging/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: version.yaml\n",
    "apps/shared/overlays/staging/version.yaml": versionPatch("6.6.0"),
    "apps/shared/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
    // A remote base pinned by commit in each environment.
    "apps/platform/overlays/dev/kustomization.yaml": `resources:\n  - ${REMOTE}?ref=${SHA_NEW}\n`,
    "apps/platform/overlays/staging/kustomization.yaml": `resources:\n  - ${REMOTE}?ref=${SHA_NEW}\n`,
    "apps/platform/overlays/prod/kustomization.yaml": `# prod\nresources:\n  - ${REMOTE}?ref=${SHA_OLD}&timeout=90s\n`,
  };
  await world.server.control.commit(files, { message: "Charts and remote bases", date: fiveDaysAgo });
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
});

afterAll(async () => {
  await world?.stop();
});

async function waitForStatus(id: string, status: PromotionStatus): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await world.server.control.flushWebhooks();
    const row = await world.db.promotion.findUniqueOrThrow({ where: { id } });
    if (row.status === status) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`promotion ${id} never reached ${status}`);
}

const chart = { kind: "chart" as const, name: "podinfo" };

describe("promoting a chart version", () => {
  it("previews staging's pinned version, opens a PR touching only prod's version line, and prod runs it once merged", async () => {
    const preview = await previewPromotion(world.ctx, { app: "podinfo", toEnv: "prod", artifact: chart }, alice);
    expect(preview.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(preview.allowed).toBe(true);
    expect(preview.request).toMatchObject({ kind: "chart", image: "podinfo", digest: null, tag: "6.6.0", fromEnv: "staging" });
    expect(preview.change).toMatchObject({
      path: "apps/podinfo/overlays/prod/release.yaml",
      from: { digest: null, tag: "6.5.0" },
      to: { digest: null, tag: "6.6.0" },
      minimal: true,
    });
    const changed = (preview.change?.unifiedDiff ?? "").split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual(['-      version: "6.5.0"', '+      version: "6.6.0"']);
    expect(preview.evidence).toMatchObject({ env: "staging", observed: true, runningNow: true, version: "6.6.0" });
    expect(preview.checks.map((c) => [c.id, c.status])).toEqual(
      expect.arrayContaining([
        ["source-env", "pass"],
        ["pinned", "pass"],
        ["observed", "pass"],
        ["soak", "pass"],
        ["freeze", "pass"],
        ["lock", "pass"],
        ["already-running", "pass"],
        ["plan", "pass"],
      ]),
    );
    expect(preview.checks.find((c) => c.id === "observed")?.reason).toMatch(/^chart podinfo 6\.6\.0 has run in staging since/);

    const result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.status).toBe("opened");
    const p = result.promotion;
    expect(p).toMatchObject({
      kind: "chart",
      image: "podinfo",
      digest: null,
      previousDigest: null,
      tag: "6.6.0",
      previousTag: "6.5.0",
      status: "OPEN",
      targetPath: "apps/podinfo/overlays/prod/release.yaml",
    });
    const pr = world.server.control.pullRequests().find((x) => x.number === p.prNumber);
    expect(pr?.title).toBe("Promote podinfo to prod: chart podinfo 6.5.0 → 6.6.0");
    const head = (await world.server.control.head(p.branch ?? "")) ?? "";
    expect(await world.server.control.store.diffNames(p.baseCommit, head)).toEqual({
      added: [],
      modified: ["apps/podinfo/overlays/prod/release.yaml"],
      removed: [],
    });
    const oldLines = ((await (await world.ctx.repo.at(p.baseCommit)).snapshot.read(p.targetPath ?? "")) ?? "").split("\n");
    const newLines = ((await (await world.ctx.repo.at(head)).snapshot.read(p.targetPath ?? "")) ?? "").split("\n");
    expect(newLines.filter((l, i) => l !== oldLines[i])).toEqual(['      version: "6.6.0"']);

    // A second click gets the same row back.
    const again = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    expect(again).toMatchObject({ ok: true, status: "existing" });

    await world.server.control.mergePullRequest(p.prNumber ?? 0);
    await waitForStatus(p.id, "MERGED");
    const prod = (await world.ctx.repo.current()).scan.apps.find((a) => a.name === "podinfo")?.environments.prod;
    expect(prod?.artifacts?.[0]).toMatchObject({ kind: "chart", name: "podinfo", version: "6.6.0", pinned: true });
    const after = await previewPromotion(world.ctx, { app: "podinfo", toEnv: "prod", artifact: chart }, alice);
    expect(after.checks.find((c) => c.id === "already-running")).toMatchObject({ status: "fail" });
  });

  it("refuses a range in staging as not pinned", async () => {
    const preview = await previewPromotion(world.ctx, { app: "ranged", toEnv: "prod", artifact: chart }, alice);
    expect(preview.allowed).toBe(false);
    expect(preview.token).toBeNull();
    expect(preview.checks.find((c) => c.id === "pinned")).toMatchObject({
      status: "fail",
      label: "Pinned version",
      reason:
        "staging runs chart podinfo '>=6.0.0': version constraint '>=6.0.0', not one version; only a pinned version is promoted",
    });
  });

  it("refuses a version set only in a shared base, naming the file", async () => {
    const preview = await previewPromotion(world.ctx, { app: "shared", toEnv: "prod", artifact: chart }, alice);
    expect(preview.allowed).toBe(false);
    expect(preview.checks.find((c) => c.id === "plan")?.reason).toMatch(
      /no safe edit: chart podinfo is set in apps\/shared\/base\/release\.yaml, which prod shares with other environments/,
    );
  });

  it("refuses a version that has not soaked in staging yet", async () => {
    await commit(world, { "apps/ranged/overlays/staging/release.yaml": release("6.8.0") }, "staging: podinfo 6.8.0");
    const preview = await previewPromotion(world.ctx, { app: "ranged", toEnv: "prod", artifact: chart }, alice);
    expect(preview.checks.find((c) => c.id === "pinned")?.status).toBe("pass");
    expect(preview.checks.find((c) => c.id === "soak")).toMatchObject({ status: "fail" });
    expect(preview.checks.find((c) => c.id === "soak")?.reason).toMatch(/prod requires a soak of 24h/);
  });
});

describe("promoting a remote base's ref", () => {
  it("opens a PR that changes only the ?ref= of prod's resources entry", async () => {
    const preview = await previewPromotion(
      world.ctx,
      { app: "platform", toEnv: "prod", artifact: { kind: "remote-base", name: REMOTE } },
      alice,
    );
    expect(preview.checks.filter((c) => c.status === "fail")).toEqual([]);
    const changed = (preview.change?.unifiedDiff ?? "").split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual([`-  - ${REMOTE}?ref=${SHA_OLD}&timeout=90s`, `+  - ${REMOTE}?ref=${SHA_NEW}&timeout=90s`]);
    const result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.promotion).toMatchObject({ kind: "remote-base", image: REMOTE, tag: SHA_NEW, previousTag: SHA_OLD });
  });
});

describe("freeze", () => {
  it("refuses an artifact promotion into a frozen environment", async () => {
    await commit(world, { "ladder.yaml": ladderYaml({ prod: { soak: "24h", freeze: true } }) }, "Freeze prod");
    const preview = await previewPromotion(world.ctx, { app: "podinfo", toEnv: "prod", artifact: chart }, alice);
    expect(preview.allowed).toBe(false);
    expect(preview.checks.find((c) => c.id === "freeze")).toMatchObject({
      status: "fail",
      reason: "prod is frozen in ladder.yaml",
    });
  });
});
