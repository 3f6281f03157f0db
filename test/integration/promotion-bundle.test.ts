/**
 * Bundles (#14 item 2) end to end: real Postgres, the strict GitHub stand-in over a real git
 * repository, its webhooks delivered to Ladder's processing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PromotionStatus } from "../../lib/generated/prisma/client";
import { verifyChain } from "../../lib/promotion/audit-chain";
import { assessBundle, bundleRollbackRequest, previewBundle, waitingApps } from "../../lib/promotion/bundle";
import { claimBundle } from "../../lib/promotion/bundle-claim";
import { requestBundle } from "../../lib/promotion/bundle-request";
import type { Actor } from "../../lib/promotion/context";
import { listPromotions } from "../../lib/promotion/history";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { commit, fakeDigest, overlay, overlayPath, startWorld, type World } from "../support/promotion-world";

const APPS = ["api", "web", "worker", "billing", "search", "mail", "docs", "ledger", "notes"] as const;
const alice: Actor = { login: "alice" };
let world: World;

beforeAll(async () => {
  world = await startWorld({ apps: APPS });
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
  world.server.control.clearFaults();
});

afterAll(async () => {
  await world?.stop();
});

const bundlePrs = () => world.server.control.pullRequests().filter((p) => p.head.startsWith("ladder-bundle/"));

async function waitForAll(ids: readonly string[], status: PromotionStatus): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await world.server.control.flushWebhooks();
    const rows = await world.db.promotion.findMany({ where: { id: { in: [...ids] } } });
    if (rows.length === ids.length && rows.every((r) => r.status === status)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`promotions never all reached ${status}`);
}

describe("a three-app bundle", () => {
  it("previews each app's diff, leaves out a refused one with its reason, opens one PR touching three files, and a merge moves all three", async () => {
    // billing's staging runs a tag only: it cannot go, and the preview says why.
    await commit(world, { [overlayPath("billing", "staging")]: overlay("billing", "staging", { tag: "2.0.0" }) });
    const preview = await previewBundle(world.ctx, { toEnv: "prod", apps: ["api", "web", "worker", "billing"] }, alice);
    expect(preview.included.map((p) => p.request.app)).toEqual(["api", "web", "worker"]);
    expect(preview.leftOut).toEqual([
      expect.objectContaining({ app: "billing", reasons: [expect.stringContaining("by tag only")] }),
    ]);
    for (const p of preview.included) {
      expect(p.change?.to).toEqual({ digest: fakeDigest(p.request.app, 2), tag: "1.2.0" });
      expect(p.change?.unifiedDiff).toContain('+    newTag: "1.2.0"');
    }
    expect(preview.token).toBeTruthy();

    // A double click and a second replica: one bundle, one PR.
    const results = await Promise.all([
      requestBundle(world.ctx, { token: preview.token ?? "", actor: alice }),
      requestBundle(world.ctx, { token: preview.token ?? "", actor: alice }),
      requestBundle(world.replica(), { token: preview.token ?? "", actor: alice }),
    ]);
    for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true);
    const first = results[0];
    if (!first?.ok) throw new Error("bundle refused");
    expect(new Set(results.map((r) => (r.ok ? r.bundleId : "")))).toEqual(new Set([first.bundleId]));
    expect(bundlePrs()).toHaveLength(1);
    const pr = bundlePrs()[0];
    expect(pr?.title).toBe("Promote 3 apps to prod: api, web, worker");
    expect(pr?.body).toContain(`Ladder-Bundle: ${first.bundleId}`);

    // One commit, three files: each app's own overlay, nothing else.
    const store = world.server.control.store;
    const head = (await world.server.control.head(pr?.head ?? "")) ?? "";
    const base = first.promotions[0]?.baseCommit ?? "";
    expect((await store.diffNames(base, head)).modified.sort()).toEqual(
      ["api", "web", "worker"].map((a) => overlayPath(a, "prod")).sort(),
    );
    expect((await store.readCommit(head))?.parents).toEqual([base]);

    const rows = await world.db.promotion.findMany({ where: { bundleId: first.bundleId }, orderBy: { app: "asc" } });
    expect(rows.map((r) => [r.app, r.status, r.prNumber, r.tag])).toEqual([
      ["api", "OPEN", pr?.number, "1.2.0"],
      ["web", "OPEN", pr?.number, "1.2.0"],
      ["worker", "OPEN", pr?.number, "1.2.0"],
    ]);

    await world.server.control.mergePullRequest(pr?.number ?? 0);
    await waitForAll(
      rows.map((r) => r.id),
      "MERGED",
    );
    const scan = (await world.ctx.repo.current()).scan;
    for (const app of ["api", "web", "worker"])
      expect(scan.apps.find((a) => a.name === app)?.environments.prod?.images[0]).toMatchObject({
        tag: "1.2.0",
        digest: fakeDigest(app, 2),
      });
    expect((await verifyChain(world.db)).ok).toBe(true);

    // Rollback per bundle: each app back to what it ran before, in one PR.
    // History groups the bundle.
    const grouped = await listPromotions(world.db, { bundle: first.bundleId });
    expect(grouped.items.map((p) => p.app).sort()).toEqual(["api", "web", "worker"]);
    const request = await bundleRollbackRequest(world.ctx, first.bundleId);
    expect(request).toEqual({
      toEnv: "prod",
      apps: [],
      rollback: Object.fromEntries(rows.map((r) => [r.app, fakeDigest(r.app, 1)])),
    });
    const back = await previewBundle(world.ctx, request, alice);
    expect(back.leftOut).toEqual([]);
    expect(back.included.map((p) => [p.request.app, p.request.rollback, p.change?.to.tag])).toEqual([
      ["api", true, "1.1.0"],
      ["web", true, "1.1.0"],
      ["worker", true, "1.1.0"],
    ]);
    const rolled = await requestBundle(world.ctx, { token: back.token ?? "", actor: alice });
    expect(rolled).toMatchObject({ ok: true, status: "opened" });
    if (rolled.ok) expect(rolled.promotions.every((p) => p.rollback && p.bundleId === rolled.bundleId)).toBe(true);
  });
});

describe("promote everything waiting", () => {
  it("finds every app whose feeding environment runs a newer pinned digest", async () => {
    const scan = (await world.ctx.repo.current()).scan;
    // dev → staging: every app's dev runs build 3 and staging build 2 (billing's staging a tag).
    expect(waitingApps(scan, "staging").sort()).toEqual([...APPS].sort());
    const preview = await previewBundle(world.ctx, { toEnv: "staging", apps: [], waiting: true }, alice);
    expect(preview.included.map((p) => p.request.app).sort()).toEqual([...APPS].sort());
  });
});

describe("bad input and faults", () => {
  it("a member whose file changed since the preview is left out as stale; the others go", async () => {
    const preview = await previewBundle(world.ctx, { toEnv: "prod", apps: ["search", "mail"] }, alice);
    expect(preview.included).toHaveLength(2);
    await commit(world, {
      [overlayPath("mail", "prod")]: `${overlay("mail", "prod", { digest: fakeDigest("mail", 1), tag: "1.1.0" })}# edited\n`,
    });
    const result = await requestBundle(world.ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.promotions.map((p) => p.app)).toEqual(["search"]);
    expect(result.leftOut).toEqual([
      expect.objectContaining({ app: "mail", reasons: [expect.stringMatching(/^stale: .*changed since you looked/)] }),
    ]);
    expect(await world.db.promotion.count({ where: { app: "mail" } })).toBe(0);
  });

  it("GitHub failing on pulls.create marks every row FAILED and leaves no branch; a retry completes", async () => {
    const preview = await previewBundle(world.ctx, { toEnv: "prod", apps: ["docs", "mail"] }, alice);
    world.server.control.injectFault({ kind: "status", status: 502, match: { operationId: "pulls/create" }, times: 20 });
    const failed = await requestBundle(world.ctx, { token: preview.token ?? "", actor: alice });
    expect(failed).toMatchObject({ ok: false, reason: "failed" });
    if (failed.ok) return;
    expect(failed.promotions?.map((p) => [p.app, p.status])).toEqual([
      ["docs", "FAILED"],
      ["mail", "FAILED"],
    ]);
    expect(failed.promotions?.every((p) => p.error && /502|Bad Gateway|GitHub/i.test(p.error))).toBe(true);
    const branch = failed.promotions?.[0]?.branch ?? "";
    expect(branch).toMatch(/^ladder-bundle\/prod\/[0-9a-f]{12}$/);
    expect(await world.server.control.branches()).not.toContain(branch);
    world.server.control.clearFaults();

    const retry = await requestBundle(world.ctx, {
      token: (await previewBundle(world.ctx, { toEnv: "prod", apps: ["docs", "mail"] }, alice)).token ?? "",
      actor: alice,
    });
    expect(retry).toMatchObject({ ok: true, status: "opened" });
    if (!retry.ok) return;
    expect(retry.promotions.map((p) => [p.app, p.status, p.attempt])).toEqual([
      ["docs", "OPEN", 2],
      ["mail", "OPEN", 2],
    ]);
    expect(retry.bundleId).not.toBe(failed.promotions?.[0]?.bundleId);
  });

  it("an app whose same digest is already open on its own stays there: left out of the preview, and of the confirm when it was opened since", async () => {
    // Opened on its own after the bundle was previewed: confirming leaves it out and bundles the rest.
    const bundle = await previewBundle(world.ctx, { toEnv: "prod", apps: ["ledger", "notes"] }, alice);
    expect(bundle.included.map((p) => p.request.app)).toEqual(["ledger", "notes"]);
    const assessed = await assessBundle(world.ctx, { toEnv: "prod", apps: ["ledger"] }, alice);
    const single = await previewPromotion(world.ctx, { app: "ledger", toEnv: "prod" }, alice);
    const alone = await requestPromotion(world.ctx, { token: single.token ?? "", actor: alice });
    if (!alone.ok) throw new Error(alone.message);
    // The claim itself never writes a second row for a change in flight elsewhere (a race past the re-check).
    expect(await claimBundle(world.ctx, assessed.assessments, alice)).toMatchObject({
      kind: "held",
      held: [{ app: "ledger", row: { id: alone.promotion.id } }],
    });
    const result = await requestBundle(world.ctx, { token: bundle.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.promotions.map((p) => p.app)).toEqual(["notes"]);
    expect(result.leftOut).toEqual([
      expect.objectContaining({ app: "ledger", reasons: [`already open on its own as PR #${alone.promotion.prNumber}`] }),
    ]);
    expect(await world.db.promotion.count({ where: { app: "ledger" } })).toBe(1);

    // And a preview made now says so up front.
    const again = await previewBundle(world.ctx, { toEnv: "prod", apps: ["ledger"] }, alice);
    expect(again.included).toEqual([]);
    expect(again.leftOut).toEqual([
      expect.objectContaining({ app: "ledger", reasons: [`already open on its own as PR #${alone.promotion.prNumber}`] }),
    ]);
  });

  it("refuses a forged token and an unknown environment without writing anything", async () => {
    const before = await world.db.promotion.count();
    expect(await requestBundle(world.ctx, { token: "not-a-token", actor: alice })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    await expect(previewBundle(world.ctx, { toEnv: "qa", apps: ["api"] }, alice)).rejects.toThrow(/Unknown environment qa/);
    expect(await world.db.promotion.count()).toBe(before);
  });
});
