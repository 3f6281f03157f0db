/**
 * The promotion core end to end against a real Postgres and the GitHub-compatible server
 * (strict OpenAPI mode): preview → write-ahead row → PR → webhook → MERGED, idempotency under
 * double clicks and replicas, superseding, refusals, GitHub and database faults, reconcile.
 */
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PromotionStatus } from "../../lib/generated/prisma/client";
import { promotionBranchName } from "../../lib/github/promotion-pr-text";
import { verifyChain } from "../../lib/promotion/audit-chain";
import type { Actor } from "../../lib/promotion/context";
import { environmentTimeline } from "../../lib/promotion/evidence";
import { getPromotionWithEvents } from "../../lib/promotion/history";
import { lockEnvironment, releaseLock } from "../../lib/promotion/locks";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { encodePromotionToken } from "../../lib/promotion/promotion-token";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { previewRollback, rollbackCandidates } from "../../lib/promotion/rollback";
import { processWebhook, reconcile } from "../../lib/promotion/track-pull-requests";
import { query } from "../support/postgres";
import {
  commit,
  fakeDigest,
  ladderYaml,
  overlay,
  overlayPath,
  REPOSITORY,
  SECRET,
  startWorld,
  type World,
} from "../support/promotion-world";

const APPS = ["api", "web", "worker", "billing", "search", "auth", "mail", "cart", "docs", "notes"] as const;
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

async function rows(app: string) {
  return await world.db.promotion.findMany({ where: { app }, orderBy: { createdAt: "asc" } });
}

async function eventTypes(promotionId: string): Promise<string[]> {
  return (await getPromotionWithEvents(world.db, promotionId))?.events.map((e) => e.type) ?? [];
}

function prsFor(app: string) {
  return world.server.control.pullRequests().filter((p) => p.head.startsWith(`ladder/${app}/`));
}

async function waitForStatus(id: string, status: PromotionStatus): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await world.server.control.flushWebhooks();
    const row = await world.db.promotion.findUniqueOrThrow({ where: { id } });
    if (row.status === status) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`promotion ${id} never reached ${status}`);
}

describe("happy path", () => {
  it("previews the tag and digest lines, opens one PR, and follows it to MERGED through the webhook", async () => {
    const preview = await previewPromotion(world.ctx, { app: "api", toEnv: "prod" }, alice);
    expect(preview.allowed).toBe(true);
    expect(preview.request).toMatchObject({ fromEnv: "staging", digest: fakeDigest("api", 2), tag: "1.2.0", rollback: false });
    expect(preview.change).toMatchObject({
      path: overlayPath("api", "prod"),
      from: { digest: fakeDigest("api", 1), tag: "1.1.0" },
      to: { digest: fakeDigest("api", 2), tag: "1.2.0" },
      minimal: true,
    });
    // #14: the tag travels with the digest; the file never reads one version's tag beside another's digest.
    const changed = (preview.change?.unifiedDiff ?? "").split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual([
      '-    newTag: "1.1.0"',
      `-    digest: ${fakeDigest("api", 1)}`,
      '+    newTag: "1.2.0"',
      `+    digest: ${fakeDigest("api", 2)}`,
    ]);
    expect(preview.evidence).toMatchObject({ env: "staging", observed: true, runningNow: true });
    expect(Date.now() - Date.parse(preview.evidence?.since ?? "")).toBeGreaterThan(9 * 86_400_000);
    expect(preview.checks.map((c) => [c.id, c.status])).toEqual(
      expect.arrayContaining([
        ["source-env", "pass"],
        ["pinned", "pass"],
        ["observed", "pass"],
        ["freeze", "pass"],
        ["lock", "pass"],
        ["promoter", "pass"],
        ["already-running", "pass"],
        ["plan", "pass"],
      ]),
    );
    expect(preview.token).toBeTruthy();

    const result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    expect(result).toMatchObject({ ok: true, status: "opened" });
    if (!result.ok) throw new Error(result.message);
    const p = result.promotion;
    expect(p).toMatchObject({
      status: "OPEN",
      app: "api",
      fromEnv: "staging",
      toEnv: "prod",
      digest: fakeDigest("api", 2),
      previousDigest: fakeDigest("api", 1),
      tag: "1.2.0",
      previousTag: "1.1.0",
      requestedBy: "alice",
      branch: promotionBranchName("api", "prod", fakeDigest("api", 2)),
      attempt: 1,
      rollback: false,
    });
    expect(p.prNumber).toBeGreaterThan(0);
    expect(Date.parse(p.sourceSince ?? "")).toBe(Date.parse(preview.evidence?.since ?? ""));

    // The PR's commit changes exactly the tag and digest lines of the target file, with the trailer.
    const store = world.server.control.store;
    const head = (await world.server.control.head(p.branch ?? "")) ?? "";
    expect(await store.diffNames(p.baseCommit, head)).toEqual({ added: [], modified: [overlayPath("api", "prod")], removed: [] });
    expect((await store.readCommit(head))?.message).toMatch(/Promoted-by: alice\n$/);
    const before = await world.ctx.repo.at(p.baseCommit);
    const after = await world.ctx.repo.at(head);
    const oldText = (await before.snapshot.read(overlayPath("api", "prod"))) ?? "";
    const newText = (await after.snapshot.read(overlayPath("api", "prod"))) ?? "";
    const oldLines = oldText.split("\n");
    const newLines = newText.split("\n");
    expect(newLines.length).toBe(oldLines.length);
    expect(newLines.filter((l, i) => l !== oldLines[i])).toEqual(['    newTag: "1.2.0"', `    digest: ${fakeDigest("api", 2)}`]);
    expect(world.server.control.pullRequests().find((pr) => pr.number === p.prNumber)?.title).toBe(
      `Promote api to prod: 1.1.0 (${fakeDigest("api", 1).slice(7, 19)}) → 1.2.0 (${fakeDigest("api", 2).slice(7, 19)})`,
    );

    await world.server.control.mergePullRequest(p.prNumber ?? 0);
    await waitForStatus(p.id, "MERGED");
    const merged = await world.db.promotion.findUniqueOrThrow({ where: { id: p.id } });
    expect(merged.openSlot).toBeNull();
    expect(merged.closedAt).toBeInstanceOf(Date);
    expect(await eventTypes(p.id)).toEqual(["promotion.requested", "promotion.opened", "promotion.merged"]);
    expect(world.webhookResults.filter((r) => r instanceof Error)).toEqual([]);

    // Now prod runs it: promoting again is refused as already running.
    const again = await previewPromotion(world.ctx, { app: "api", toEnv: "prod" }, alice);
    expect(again.allowed).toBe(false);
    expect(again.checks.find((c) => c.id === "already-running")).toMatchObject({ status: "fail" });
    expect(again.token).toBeNull();
    // And the merged file reads what staging runs: its tag and its digest.
    const prod = (await world.ctx.repo.current()).scan.apps.find((a) => a.name === "api")?.environments.prod?.images[0];
    expect(prod).toMatchObject({ tag: "1.2.0", digest: fakeDigest("api", 2) });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });
});

describe("idempotency", () => {
  it("a double click and a second replica get the same row and the same PR", async () => {
    const preview = await previewPromotion(world.ctx, { app: "web", toEnv: "prod" }, alice);
    const token = preview.token ?? "";
    const results = await Promise.all([
      requestPromotion(world.ctx, { token, actor: alice }),
      requestPromotion(world.ctx, { token, actor: alice }),
      requestPromotion(world.replica(), { token, actor: alice }),
    ]);
    for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true);
    const ids = new Set(results.map((r) => (r.ok ? r.promotion.id : "")));
    expect(ids.size).toBe(1);
    await world.server.control.flushWebhooks();
    expect(await rows("web")).toHaveLength(1);
    expect(prsFor("web")).toHaveLength(1);
    const [row] = await rows("web");
    expect(row?.status).toBe("OPEN");
    expect(row?.prNumber).toBe(prsFor("web")[0]?.number);
    const types = await eventTypes(row?.id ?? "");
    expect(types.filter((t) => t === "promotion.requested")).toHaveLength(1);
    expect(types.filter((t) => t === "promotion.opened")).toHaveLength(1);
  });

  it("a real delivery posted again (same delivery id) is recorded once and the replay is ignored", async () => {
    const [row] = await rows("web");
    const delivery = world.server.control
      .deliveries()
      .find((d) => d.event === "pull_request" && (d.payload.number as number) === row?.prNumber);
    expect(delivery?.status).toBe(200);
    const body = JSON.stringify(delivery?.payload);
    const before = world.webhookResults.length;
    const response = await fetch(world.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": delivery?.id ?? "",
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(world.webhookResults.slice(before)).toEqual([
      expect.objectContaining({ outcome: "duplicate", deliveryId: delivery?.id }),
    ]);
    const recorded = await world.db.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: delivery?.id ?? "" } });
    expect(recorded.processedAt).toBeInstanceOf(Date);
  });

  it("a webhook delivery replayed is recognised and ignored", async () => {
    const [row] = await rows("web");
    const event = {
      kind: "pull_request" as const,
      deliveryId: "replayed-delivery-1",
      action: "closed",
      repository: REPOSITORY,
      number: row?.prNumber ?? 0,
      state: "closed" as const,
      url: row?.prUrl ?? "",
      branch: row?.branch ?? "",
      baseBranch: "main",
      headSha: row?.headCommit ?? "",
      mergeCommitSha: null,
      mergedAt: null,
    };
    // Deliver a "closed" for an unrelated PR number first under this id, then replay the same id.
    const first = await processWebhook(world.db, { ...event, number: 99_999 });
    expect(first).toMatchObject({ outcome: "ignored" });
    const replay = await processWebhook(world.db, event);
    expect(replay).toMatchObject({ outcome: "duplicate", deliveryId: "replayed-delivery-1" });
    expect((await world.db.promotion.findUniqueOrThrow({ where: { id: row?.id ?? "" } })).status).toBe("OPEN");
    // The real deliveries the server made were each recorded once.
    const deliveries = await world.db.webhookDelivery.count();
    expect(deliveries).toBeGreaterThan(1);
  });
});

describe("superseding", () => {
  it("a newer digest opens its PR and closes the older one with a comment pointing to it", async () => {
    const first = await requestPromotion(world.ctx, {
      token: (await previewPromotion(world.ctx, { app: "worker", toEnv: "prod" }, alice)).token ?? "",
      actor: alice,
    });
    if (!first.ok) throw new Error(first.message);
    await commit(world, {
      [overlayPath("worker", "staging")]: overlay("worker", "staging", { digest: fakeDigest("worker", 7), tag: "1.0" }),
    });
    const preview = await previewPromotion(world.ctx, { app: "worker", toEnv: "prod" }, { login: "bob" });
    expect(preview.request.digest).toBe(fakeDigest("worker", 7));
    expect(preview.checks.find((c) => c.id === "open-promotion")).toMatchObject({ status: "warn" });
    const second = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: { login: "bob" } });
    if (!second.ok) throw new Error(second.message);
    expect(second.superseded).toMatchObject({ promotionId: first.promotion.id, closed: true });
    const older = await world.db.promotion.findUniqueOrThrow({ where: { id: first.promotion.id } });
    expect(older).toMatchObject({ status: "CLOSED", openSlot: null });
    expect(second.promotion.status).toBe("OPEN");
    const comments = world.server.control.comments(first.promotion.prNumber ?? 0);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(`Superseded by #${second.promotion.prNumber}`);
    expect(world.server.control.pullRequests().find((p) => p.number === first.promotion.prNumber)?.state).toBe("closed");
    expect(await world.server.control.branches()).not.toContain(first.promotion.branch);
    expect(await eventTypes(older.id)).toEqual([
      "promotion.requested",
      "promotion.opened",
      "promotion.superseded",
      "promotion.closed",
    ]);
  });
});

describe("superseding when GitHub fails to close the older PR", () => {
  it("leaves the older row OPEN without its slot; reconcile closes it later, within its budget", async () => {
    const first = await requestPromotion(world.ctx, {
      token: (await previewPromotion(world.ctx, { app: "notes", toEnv: "prod" }, alice)).token ?? "",
      actor: alice,
    });
    if (!first.ok) throw new Error(first.message);
    await commit(world, {
      [overlayPath("notes", "staging")]: overlay("notes", "staging", { digest: fakeDigest("notes", 5), tag: "1.0" }),
    });
    world.server.control.injectFault({ kind: "status", status: 500, match: { operationId: "pulls/update" }, times: 20 });
    const second = await requestPromotion(world.ctx, {
      token: (await previewPromotion(world.ctx, { app: "notes", toEnv: "prod" }, alice)).token ?? "",
      actor: alice,
    });
    if (!second.ok) throw new Error(second.message);
    expect(second.superseded).toMatchObject({ promotionId: first.promotion.id, closed: false });
    expect(await world.db.promotion.findUniqueOrThrow({ where: { id: first.promotion.id } })).toMatchObject({
      status: "OPEN",
      openSlot: null,
    });
    world.server.control.clearFaults();

    // A budget of one request gets through one row and reports the rest as remaining.
    const small = await reconcile(world.ctx, { budget: 1 });
    expect(small.requests).toBe(1);
    expect(small.remaining).toBeGreaterThan(0);
    let closed = false;
    for (let i = 0; i < 5 && !closed; i++) {
      const r = await reconcile(world.ctx, { budget: 50 });
      closed = r.closedSuperseded.includes(first.promotion.id);
    }
    expect(closed).toBe(true);
    expect(await world.db.promotion.findUniqueOrThrow({ where: { id: first.promotion.id } })).toMatchObject({ status: "CLOSED" });
    expect(world.server.control.pullRequests().find((p) => p.number === first.promotion.prNumber)?.state).toBe("closed");
    expect(world.server.control.comments(first.promotion.prNumber ?? 0).at(-1)).toContain(`#${second.promotion.prNumber}`);
  });
});

describe("refusals create no PR and no OPEN row", () => {
  async function expectRefused(app: string, token: string, check: string): Promise<void> {
    const prsBefore = prsFor(app).length;
    const rowsBefore = await rows(app);
    const result = await requestPromotion(world.ctx, { token, actor: alice });
    expect(result).toMatchObject({ ok: false, reason: "refused" });
    if (result.ok) return;
    expect(result.checks?.find((c) => c.id === check)?.status).toBe("fail");
    await world.server.control.flushWebhooks();
    expect(prsFor(app)).toHaveLength(prsBefore);
    expect(await rows(app)).toEqual(rowsBefore);
  }

  it("tag-only in the source environment", async () => {
    await commit(world, { [overlayPath("billing", "staging")]: overlay("billing", "staging", { tag: "2.0" }) });
    const preview = await previewPromotion(world.ctx, { app: "billing", toEnv: "prod" }, alice);
    expect(preview.allowed).toBe(false);
    expect(preview.token).toBeNull();
    expect(preview.checks.find((c) => c.id === "pinned")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("by tag only"),
    });
    // A hand-made token for a digest staging never ran is refused on the server too.
    const prodPath = overlayPath("billing", "prod");
    const head = await world.ctx.repo.current();
    const blobSha = head.snapshot.files().find((f) => f.path === prodPath)?.sha ?? "";
    const forged = encodePromotionToken({
      v: 1,
      app: "billing",
      toEnv: "prod",
      fromEnv: "staging",
      image: "ghcr.io/acme/billing",
      digest: fakeDigest("billing", 42),
      tag: null,
      rollback: false,
      commit: head.snapshot.commit,
      path: prodPath,
      blobSha,
    });
    await expectRefused("billing", forged, "observed");
  });

  it("a digest that never ran below, and the wrong source environment", async () => {
    const preview = await previewPromotion(world.ctx, { app: "search", toEnv: "prod", digest: fakeDigest("search", 99) }, alice);
    expect(preview.checks.find((c) => c.id === "observed")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("never ran in staging"),
    });
    const wrong = await previewPromotion(world.ctx, { app: "search", toEnv: "prod", fromEnv: "dev" }, alice);
    expect(wrong.checks.find((c) => c.id === "source-env")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("fed by staging, not dev"),
    });
    const ok = await previewPromotion(world.ctx, { app: "search", toEnv: "prod" }, alice);
    const t = JSON.parse(Buffer.from(ok.token ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    await expectRefused(
      "search",
      Buffer.from(JSON.stringify({ ...t, fromEnv: "dev", digest: fakeDigest("search", 3) })).toString("base64url"),
      "source-env",
    );
    await expectRefused(
      "search",
      Buffer.from(JSON.stringify({ ...t, digest: fakeDigest("search", 99) })).toString("base64url"),
      "observed",
    );
  });

  it("a lock set after the preview, and a freeze in ladder.yaml", async () => {
    const preview = await previewPromotion(world.ctx, { app: "auth", toEnv: "prod" }, alice);
    expect(preview.allowed).toBe(true);
    const lock = await lockEnvironment(world.db, {
      repository: REPOSITORY,
      env: "prod",
      app: "auth",
      reason: "incident 42",
      expiresAt: new Date(Date.now() + 3_600_000),
      actor: "carol",
    });
    await expectRefused("auth", preview.token ?? "", "lock");
    const locked = await previewPromotion(world.ctx, { app: "auth", toEnv: "prod" }, alice);
    expect(locked.checks.find((c) => c.id === "lock")?.reason).toContain("auth in prod locked by carol");
    await releaseLock(world.db, { id: lock.id, actor: "carol", repository: REPOSITORY });
    // An expired lock does not count.
    await world.db.environmentLock.create({
      data: { repository: REPOSITORY, env: "prod", reason: "old", createdBy: "dave", expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await previewPromotion(world.ctx, { app: "auth", toEnv: "prod" }, alice)).allowed).toBe(true);

    await commit(world, { "ladder.yaml": ladderYaml({ prod: { freeze: { reason: "release week" } } }) }, "freeze prod");
    await expectRefused("auth", preview.token ?? "", "freeze");
    const frozen = await previewPromotion(world.ctx, { app: "auth", toEnv: "prod" }, alice);
    expect(frozen.checks.find((c) => c.id === "freeze")?.reason).toBe("prod is frozen in ladder.yaml: release week");
    await commit(world, { "ladder.yaml": ladderYaml({ prod: { soak: "24h" } }) }, "unfreeze, soak 24h");
    await commit(world, {
      [overlayPath("auth", "staging")]: overlay("auth", "staging", { digest: fakeDigest("auth", 8), tag: "1.0" }),
    });
    const soaking = await previewPromotion(world.ctx, { app: "auth", toEnv: "prod" }, alice);
    expect(soaking.checks.find((c) => c.id === "soak")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("soak of 24h"),
    });
    await commit(world, { "ladder.yaml": ladderYaml() }, "no soak");
  });
});

describe("faults", () => {
  it("GitHub 5xx on pulls.create: FAILED row with the cause, no orphan branch; a retry is a new attempt that succeeds", async () => {
    world.server.control.injectFault({ kind: "status", status: 502, match: { operationId: "pulls/create" }, times: 20 });
    const preview = await previewPromotion(world.ctx, { app: "mail", toEnv: "prod" }, alice);
    const failed = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    expect(failed).toMatchObject({ ok: false, reason: "failed" });
    if (failed.ok) return;
    expect(failed.message).toContain("unreachable or failing");
    expect(failed.promotion).toMatchObject({ status: "FAILED", attempt: 1 });
    const branch = promotionBranchName("mail", "prod", fakeDigest("mail", 2));
    expect(await world.server.control.branches()).not.toContain(branch);
    const [row] = await rows("mail");
    expect(row).toMatchObject({ status: "FAILED", openSlot: null });
    expect(row?.error).toContain("HTTP 502");
    expect(await eventTypes(row?.id ?? "")).toEqual(["promotion.requested", "promotion.failed"]);

    world.server.control.clearFaults();
    const retry = await requestPromotion(world.ctx, {
      token: (await previewPromotion(world.ctx, { app: "mail", toEnv: "prod" }, alice)).token ?? "",
      actor: alice,
    });
    expect(retry).toMatchObject({ ok: true, status: "opened", promotion: { status: "OPEN", attempt: 2 } });
    const all = await rows("mail");
    expect(all.map((r) => r.status)).toEqual(["FAILED", "OPEN"]);
    expect(prsFor("mail")).toHaveLength(1);
  });

  it("the database fails after the PR is created: the row stays PENDING and reconcile repairs it by branch name", async () => {
    await query(
      world.database.url,
      `CREATE FUNCTION fail_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated database failure'; END; $$`,
    );
    await query(
      world.database.url,
      `CREATE TRIGGER fail_open BEFORE UPDATE ON promotion FOR EACH ROW WHEN (NEW.status = 'OPEN') EXECUTE FUNCTION fail_open()`,
    );
    let result: Awaited<ReturnType<typeof requestPromotion>>;
    try {
      const preview = await previewPromotion(world.ctx, { app: "cart", toEnv: "prod" }, alice);
      result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
      await world.server.control.flushWebhooks();
    } finally {
      await query(world.database.url, "DROP TRIGGER fail_open ON promotion");
      await query(world.database.url, "DROP FUNCTION fail_open()");
    }
    expect(result).toMatchObject({ ok: false, reason: "unrecorded" });
    const [row] = await rows("cart");
    expect(row?.status).toBe("PENDING");
    expect(prsFor("cart")).toHaveLength(1);
    // The opened webhook could not be recorded either (its transaction rolled back).
    expect(world.webhookResults.some((r) => r instanceof Error)).toBe(true);
    world.webhookResults.length = 0;

    const repaired = await reconcile(world.ctx, { budget: 10 });
    expect(repaired.transitions).toContainEqual({ id: row?.id, from: "PENDING", to: "OPEN" });
    const fixed = await world.db.promotion.findUniqueOrThrow({ where: { id: row?.id ?? "" } });
    expect(fixed).toMatchObject({ status: "OPEN", prNumber: prsFor("cart")[0]?.number });
    expect(await eventTypes(fixed.id)).toEqual(["promotion.requested", "promotion.opened"]);

    // A missed webhook: merge with deliveries off, then reconcile catches up.
    world.server.control.setWebhook(undefined);
    try {
      await world.server.control.mergePullRequest(fixed.prNumber ?? 0);
    } finally {
      world.server.control.setWebhook(world.webhookUrl);
    }
    const caught = await reconcile(world.ctx, { budget: 10 });
    expect(caught.transitions).toContainEqual({ id: fixed.id, from: "OPEN", to: "MERGED" });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("an interrupted PENDING row with no PR becomes FAILED after the grace period", async () => {
    const row = await world.db.promotion.create({
      data: {
        repository: REPOSITORY,
        app: "docs",
        image: "ghcr.io/acme/docs",
        fromEnv: "staging",
        toEnv: "prod",
        digest: fakeDigest("docs", 2),
        idempotencyKey: `${REPOSITORY}|docs|prod|${fakeDigest("docs", 2)}#1`,
        openSlot: `${REPOSITORY}|docs|prod`,
        branch: promotionBranchName("docs", "prod", fakeDigest("docs", 2)),
        baseCommit: "0".repeat(40),
        requestedBy: "alice",
        createdAt: new Date(Date.now() - 600_000),
      },
    });
    const result = await reconcile(world.ctx, { budget: 10, pendingGraceMs: 60_000 });
    expect(result.transitions).toContainEqual({ id: row.id, from: "PENDING", to: "FAILED" });
    const failed = await world.db.promotion.findUniqueOrThrow({ where: { id: row.id } });
    expect(failed).toMatchObject({ status: "FAILED", openSlot: null });
    expect(failed.error).toContain("interrupted");
  });
});

describe("rollback and timeline", () => {
  it("lists what an environment ran and rolls back to a digest it ran before", async () => {
    // api's prod moved 1 → 2 in the happy path; its timeline shows both.
    const timeline = await environmentTimeline(world.ctx.repo, { app: "api", env: "prod" });
    expect(timeline.segments.map((s) => s.digest)).toEqual([fakeDigest("api", 2), fakeDigest("api", 1)]);
    expect(timeline.segments[0]?.to).toBeNull();
    expect(timeline.segments[1]?.to).toBe(timeline.segments[0]?.from);

    const { candidates } = await rollbackCandidates(world.ctx, { app: "api", env: "prod" });
    expect(candidates.map((c) => c.digest)).toEqual([fakeDigest("api", 1)]);
    const never = await previewRollback(world.ctx, { app: "api", env: "prod", digest: fakeDigest("api", 3) }, alice);
    expect(never.checks.find((c) => c.id === "ran-before")).toMatchObject({ status: "fail" });

    const preview = await previewRollback(world.ctx, { app: "api", env: "prod", digest: fakeDigest("api", 1) }, alice);
    expect(preview.allowed).toBe(true);
    expect(preview.checks.find((c) => c.id === "ran-before")?.status).toBe("pass");
    const result = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    expect(result.promotion).toMatchObject({
      rollback: true,
      fromEnv: "prod",
      toEnv: "prod",
      digest: fakeDigest("api", 1),
      // The tag it ran with then comes back with it.
      tag: "1.1.0",
      status: "OPEN",
    });
    const trail = await getPromotionWithEvents(world.db, result.promotion.id);
    expect(trail?.events[0]?.detail).toMatchObject({ rollback: true });
  });
});

describe("tag-only promotion where ladder.yaml allows it", () => {
  it("promotes the tag staging runs and removes prod's digest pin; a second request gets the same PR", async () => {
    await commit(world, {
      "ladder.yaml": ladderYaml({ prod: { allowTagOnly: true } }),
      [overlayPath("cart", "staging")]: overlay("cart", "staging", { tag: "2.0.0" }),
    });
    world.ctx.repo.invalidate();
    try {
      // What prod runs now (an earlier test may have promoted cart): the edit starts from it.
      const prodBefore = (await world.ctx.repo.current()).scan.apps.find((a) => a.name === "cart")?.environments.prod?.images[0];
      expect(prodBefore?.digest).toBeTruthy();
      const preview = await previewPromotion(world.ctx, { app: "cart", toEnv: "prod" }, alice);
      expect(preview.allowed, JSON.stringify(preview.checks)).toBe(true);
      expect(preview.checks.find((c) => c.id === "pinned")).toMatchObject({ status: "warn" });
      expect(preview.request).toMatchObject({ digest: null, tag: "2.0.0" });
      expect(preview.change).toMatchObject({
        from: { digest: prodBefore?.digest, tag: prodBefore?.tag },
        to: { digest: null, tag: "2.0.0" },
      });
      const changed = (preview.change?.unifiedDiff ?? "").split("\n").filter((l) => /^[-+](?![-+])/.test(l));
      expect(changed.sort()).toEqual(
        ['+    newTag: "2.0.0"', `-    newTag: "${prodBefore?.tag}"`, `-    digest: ${prodBefore?.digest}`].sort(),
      );

      const prsBefore = prsFor("cart").length;
      const first = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
      if (!first.ok) throw new Error(first.message);
      expect(first.promotion).toMatchObject({
        status: "OPEN",
        digest: null,
        tag: "2.0.0",
        previousDigest: prodBefore?.digest,
      });
      expect(first.promotion.branch).toMatch(/^ladder\/cart\/prod\/t[0-9a-f]{11}$/);
      const again = await requestPromotion(world.ctx, { token: preview.token ?? "", actor: alice });
      expect(again).toMatchObject({ ok: true, status: "existing", promotion: { id: first.promotion.id } });
      expect(prsFor("cart")).toHaveLength(prsBefore + 1);
    } finally {
      await commit(world, { "ladder.yaml": ladderYaml() });
      world.ctx.repo.invalidate();
    }
  });
});
