/**
 * A canary (#14 item 3): promote into one target of an environment that fans out, on real
 * Postgres and the strict GitHub stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/promotion/context";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { commit, fakeDigest, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
let world: World;

const images = (tag: string, digest: string) =>
  `images:\n  - name: ghcr.io/acme/edge\n    newTag: "${tag}"\n    digest: ${digest}\n`;

beforeAll(async () => {
  world = await startWorld({ apps: ["api"] });
  await commit(
    world,
    {
      "ladder.yaml": [
        "version: 1",
        "environments:",
        "  - dev",
        "  - staging",
        "  - name: prod",
        "    targets: [eu, us]",
        "apps:",
        "  - path: apps/{app}/overlays/{env}",
        "  - name: edge",
        "    path: edge/{env}/{target}",
        "    envPath: edge/{env}/base",
        "    paths:",
        "      dev: edge/dev",
        "      staging: edge/staging",
        "",
      ].join("\n"),
      "edge/app/kustomization.yaml": "resources:\n  - deploy.yaml\n",
      "edge/app/deploy.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: edge\nspec:\n  template:\n    spec:\n      containers:\n        - name: edge\n          image: ghcr.io/acme/edge:0.0.0\n",
      "edge/dev/kustomization.yaml": `resources:\n  - ../app\n${images("1.2.0", fakeDigest("edge", 2))}`,
      "edge/staging/kustomization.yaml": `resources:\n  - ../app\n${images("1.2.0", fakeDigest("edge", 2))}`,
      "edge/prod/base/kustomization.yaml": `resources:\n  - ../../app\n${images("1.1.0", fakeDigest("edge", 1))}`,
      "edge/prod/eu/kustomization.yaml": "resources:\n  - ../base\n",
      "edge/prod/us/kustomization.yaml": "# us: canaries land here first\nresources:\n  - ../base\n",
    },
    "Add edge, fanned out in prod",
  );
  world.ctx.repo.invalidate();
});

afterAll(async () => {
  await world?.stop();
});

describe("a canary into one target", () => {
  it("pins staging's tag and digest in that target's overlay only; the PR and the row name the target", async () => {
    const preview = await previewPromotion(world.ctx, { app: "edge", toEnv: "prod", target: "us" }, alice);
    expect(preview.allowed, JSON.stringify(preview.checks)).toBe(true);
    expect(preview.request).toMatchObject({ target: "us", digest: fakeDigest("edge", 2), tag: "1.2.0" });
    expect(preview.change?.path).toBe("edge/prod/us/kustomization.yaml");
    expect(preview.change?.targets).toEqual([
      { name: "eu", path: "edge/prod/eu", reached: false, runs: { tag: "1.1.0", digest: fakeDigest("edge", 1) } },
      { name: "us", path: "edge/prod/us", reached: true, runs: { tag: "1.2.0", digest: fakeDigest("edge", 2) } },
    ]);
    expect(preview.checks.find((c) => c.id === "targets")).toMatchObject({
      status: "warn",
      reason: expect.stringContaining("reaches us; keeps its own pin: eu (1.1.0"),
    });

    const result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.promotion).toMatchObject({ status: "OPEN", toEnv: "prod", target: "us", tag: "1.2.0" });
    expect(result.promotion.branch).toMatch(/^ladder\/edge\/prod-us\/[0-9a-f]{12}$/);
    const pr = world.server.control.pullRequests().find((p) => p.number === result.promotion.prNumber);
    expect(pr?.title).toMatch(/^Promote edge to prod\/us: 1\.1\.0 \(/);
    const head = (await world.server.control.head(pr?.head ?? "")) ?? "";
    expect((await world.server.control.store.diffNames(result.promotion.baseCommit, head)).modified).toEqual([
      "edge/prod/us/kustomization.yaml",
    ]);

    // The whole environment is its own slot: promoting prod's shared file is not blocked by the canary.
    const whole = await previewPromotion(world.ctx, { app: "edge", toEnv: "prod" }, alice);
    expect(whole.checks.find((c) => c.id === "open-promotion")).toBeUndefined();
    expect(whole.change?.path).toBe("edge/prod/base/kustomization.yaml");

    await world.server.control.mergePullRequest(result.promotion.prNumber ?? 0);
    for (let i = 0; i < 100; i++) {
      await world.server.control.flushWebhooks();
      if ((await world.db.promotion.findUniqueOrThrow({ where: { id: result.promotion.id } })).status === "MERGED") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const prod = (await world.ctx.repo.current()).scan.apps.find((a) => a.name === "edge")?.environments.prod;
    expect(prod?.targets?.us?.images[0]).toMatchObject({ tag: "1.2.0", digest: fakeDigest("edge", 2) });
    expect(prod?.targets?.eu?.images[0]).toMatchObject({ tag: "1.1.0", digest: fakeDigest("edge", 1) });
    // And the same canary again is already running there.
    const again = await previewPromotion(world.ctx, { app: "edge", toEnv: "prod", target: "us" }, alice);
    expect(again.checks.find((c) => c.id === "already-running")).toMatchObject({ status: "fail" });
  });

  it("refuses a target the environment does not have, naming the ones it has", async () => {
    await expect(previewPromotion(world.ctx, { app: "edge", toEnv: "prod", target: "ap" }, alice)).rejects.toThrow(
      "prod has no target ap (targets: eu, us).",
    );
  });
});
