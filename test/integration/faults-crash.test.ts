/**
 * The Ladder process is SIGKILLed mid-promotion and a fresh process takes over. The promotion
 * core runs in a child process (test/support/promotion-child.ts) against the test's database
 * and GitHub server; injected latency holds it at a known step while it is killed. Whatever
 * GitHub had done by then, the restarted process ends with one PR and one row that says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/promotion/context";
import { getPromotionWithEvents } from "../../lib/promotion/history";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { reconcile } from "../../lib/promotion/track-pull-requests";
import { expectConsistent, pullsOf, rowsOf, spawnReplica, until } from "../support/fault-kit";
import { startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
let world: World;

beforeAll(async () => {
  world = await startWorld({ apps: ["early", "late", "stuck", "slow"] });
});

afterEach(async () => {
  world.server.control.clearFaults();
  world.server.control.resetCounters();
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
});

afterAll(async () => {
  await world?.stop();
});

async function tokenFor(app: string): Promise<string> {
  const preview = await previewPromotion(world.ctx, { app, toEnv: "prod" }, alice);
  expect(preview.allowed).toBe(true);
  return preview.token ?? "";
}

/** Starts a replica on `token`, kills it with SIGKILL once GitHub saw `operationId`. */
async function killDuring(token: string, operationId: string): Promise<void> {
  const doomed = spawnReplica(world, ["request", token, "1"]);
  await doomed.waitFor((l) => l.ready === true);
  doomed.go();
  await until(() => (world.server.control.counters()[operationId] ?? 0) >= 1, 30_000, operationId);
  doomed.child.kill("SIGKILL");
  expect(await doomed.exited).toBe("SIGKILL");
  expect(doomed.lines.filter((l) => "ok" in l)).toEqual([]);
}

async function restartAndRequest(token: string): Promise<Record<string, unknown>> {
  const fresh = spawnReplica(world, ["request", token, "1"]);
  await fresh.waitFor((l) => l.ready === true);
  fresh.go();
  const result = await fresh.waitFor((l) => "ok" in l);
  expect(await fresh.exited).toBe(0);
  return result;
}

describe("SIGKILL mid-promotion, then a fresh process", () => {
  it("killed after the PENDING row, before any GitHub write: the restarted retry finishes the same attempt", async () => {
    const token = await tokenFor("early");
    world.server.control.injectFault({ kind: "latency", ms: 1500, match: { operationId: "git/create-tree" }, times: 1 });
    await killDuring(token, "git/create-tree");
    const [pending] = await rowsOf(world, "early");
    expect(pending).toMatchObject({ status: "PENDING", prNumber: null });
    expect(pullsOf(world, "early")).toEqual([]);

    const result = await restartAndRequest(token);
    expect(result).toMatchObject({ ok: true, id: pending?.id, promotionStatus: "OPEN" });
    expect(pullsOf(world, "early")).toHaveLength(1);
    const rows = await rowsOf(world, "early");
    expect(rows.map((r) => r.status)).toEqual(["OPEN"]);
    const reconciled = spawnReplica(world, ["reconcile", "0"]);
    expect(await reconciled.exited).toBe(0);
    await expectConsistent(world, "early");
  });

  it("killed while pulls.create is in flight: GitHub opens the PR anyway; a fresh process reconciles it by branch name, a retry does not duplicate", async () => {
    const token = await tokenFor("late");
    // The killed process was the webhook receiver too: the "opened" delivery fails.
    world.server.control.setWebhook(undefined);
    try {
      world.server.control.injectFault({ kind: "latency", ms: 1000, match: { operationId: "pulls/create" }, times: 1 });
      await killDuring(token, "pulls/create");
      const [pending] = await rowsOf(world, "late");
      expect(pending?.status).toBe("PENDING");
      // GitHub had the whole request: it opens the PR after its delay though the client is gone.
      await until(() => pullsOf(world, "late").length === 1, 10_000, "the orphaned pulls.create");

      const reconciler = spawnReplica(world, ["reconcile"]);
      const report = await reconciler.waitFor((l) => "checked" in l);
      expect(await reconciler.exited).toBe(0);
      expect(report.transitions).toContainEqual({ id: pending?.id, from: "PENDING", to: "OPEN" });
      expect(await world.db.promotion.findUniqueOrThrow({ where: { id: pending?.id ?? "" } })).toMatchObject({
        status: "OPEN",
        prNumber: pullsOf(world, "late")[0]?.number,
      });
    } finally {
      world.server.control.setWebhook(world.webhookUrl);
    }
    await expectConsistent(world, "late");

    const retry = await restartAndRequest(token);
    expect(retry).toMatchObject({ ok: true, status: "existing", promotionStatus: "OPEN" });
    expect(pullsOf(world, "late")).toHaveLength(1);
    expect((await rowsOf(world, "late")).map((r) => r.status)).toEqual(["OPEN"]);
    await expectConsistent(world, "late");
  });

  it("killed during createRef with webhooks lost: past the grace period the row is FAILED, the branch removed, the retry opens one PR", async () => {
    const token = await tokenFor("stuck");
    world.server.control.setWebhook(undefined);
    try {
      world.server.control.injectFault({ kind: "latency", ms: 1000, match: { operationId: "git/create-ref" }, times: 1 });
      await killDuring(token, "git/create-ref");
      await until(
        async () => (await world.server.control.branches()).some((b) => b.startsWith("ladder/stuck/")),
        10_000,
        "the branch",
      );
      const reconciler = spawnReplica(world, ["reconcile", "0"]);
      const report = await reconciler.waitFor((l) => "checked" in l);
      expect(await reconciler.exited).toBe(0);
      const [failed] = await rowsOf(world, "stuck");
      expect(report.transitions).toContainEqual({ id: failed?.id, from: "PENDING", to: "FAILED" });
      expect(failed?.error).toContain("interrupted");
    } finally {
      world.server.control.setWebhook(world.webhookUrl);
      world.server.control.clearFaults();
    }
    await expectConsistent(world, "stuck");
    const retry = await restartAndRequest(await tokenFor("stuck"));
    expect(retry).toMatchObject({ ok: true, status: "opened", promotionStatus: "OPEN" });
    expect((await rowsOf(world, "stuck")).map((r) => r.status)).toEqual(["FAILED", "OPEN"]);
    await expectConsistent(world, "stuck");
  });

  // Found by this suite: the reconciler failed a PENDING row whose request was merely slow (past
  // the grace period — write pacing and the per-repo queue make that minutes), then the request
  // opened its PR anyway: an open PR on a FAILED row that nothing tracks, its slot released.
  it("a request slower than the grace period is failed by reconcile: its late PR is withdrawn, not left untracked", async () => {
    const token = await tokenFor("slow");
    world.server.control.setWebhook(undefined);
    try {
      world.server.control.injectFault({ kind: "latency", ms: 1500, match: { operationId: "git/create-ref" }, times: 1 });
      const slow = requestPromotion(world.ctx, { token, actor: alice });
      await until(() => (world.server.control.counters()["git/create-ref"] ?? 0) >= 1, 10_000, "createRef");
      const swept = await reconcile(world.replica(), { budget: 50, pendingGraceMs: 0 });
      const [row] = await rowsOf(world, "slow");
      expect(swept.transitions).toContainEqual({ id: row?.id, from: "PENDING", to: "FAILED" });
      const result = await slow;
      expect(result).toMatchObject({ ok: false, reason: "failed", promotion: { status: "FAILED" } });
      if (!result.ok) expect(result.message).toMatch(/was closed/);
    } finally {
      world.server.control.setWebhook(world.webhookUrl);
    }
    const pulls = pullsOf(world, "slow");
    expect(pulls.map((p) => p.state)).toEqual(["closed"]);
    const [failed] = await rowsOf(world, "slow");
    expect((await getPromotionWithEvents(world.db, failed?.id ?? ""))?.events.map((e) => e.type)).toEqual([
      "promotion.requested",
      "promotion.failed",
      "promotion.closed",
    ]);
    expect(await world.server.control.branches()).not.toContain(failed?.branch);
    // The retry is a new attempt with its own PR.
    const retry = await restartAndRequest(await tokenFor("slow"));
    expect(retry).toMatchObject({ ok: true, promotionStatus: "OPEN" });
    expect(pullsOf(world, "slow").filter((p) => p.state === "open")).toHaveLength(1);
  });
});
