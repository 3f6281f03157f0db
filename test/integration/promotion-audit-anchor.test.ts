/**
 * The audit chain anchored in the promotion PRs, against a real Postgres and the GitHub-compatible
 * server (strict OpenAPI mode): each PR body carries the id and hash of its promotion's
 * `promotion.requested` event, and `ladder audit verify` compares the database with them — so a
 * deleted tail or a history rewritten with fresh hashes, which the chain alone accepts, fails
 * naming the PR.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseAuditAnchor } from "../../lib/github/promotion-pr-text";
import { appendEvent, eventHash, verifyChain } from "../../lib/promotion/audit-chain";
import type { Actor } from "../../lib/promotion/context";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { query } from "../support/postgres";
import { REPOSITORY, startWorld, type World } from "../support/promotion-world";

const alice: Actor = { login: "alice" };
let world: World;
/** PR number and `promotion.requested` event id per app. */
const opened: Record<string, { pr: number; url: string; eventId: string; promotionId: string }> = {};

/**
 * Runs the CLI with exactly these variables: lib/env parses the environment once per module
 * graph, so each run imports a fresh one.
 */
async function cli(vars: Record<string, string | undefined>, ...argv: string[]) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules();
  try {
    const { main } = await import("../../cmd/cli/main");
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function withGitHub(): Record<string, string> {
  return {
    DATABASE_URL: world.database.url,
    GITHUB_TOKEN: "test-token",
    GITHUB_API_URL: world.server.apiBaseUrl,
    LADDER_REPOSITORY: REPOSITORY,
  };
}

/** Raw SQL as a superuser who bypasses the append-only trigger (and the foreign keys). */
async function tamper(sql: string): Promise<void> {
  await query(world.database.url, `SET session_replication_role = replica; ${sql}; SET session_replication_role = origin;`);
}

async function promote(app: string) {
  const preview = await previewPromotion(world.ctx, { app, toEnv: "prod" }, alice);
  expect(preview.allowed, JSON.stringify(preview.checks)).toBe(true);
  const token = preview.token ?? "";
  const result = await requestPromotion(world.ctx, { token, actor: alice });
  if (!result.ok) throw new Error(result.message);
  expect(result.status).toBe("opened");
  return { result, token };
}

beforeAll(async () => {
  world = await startWorld({ apps: ["api", "web"] });
});

afterEach(async () => {
  await world.server.control.flushWebhooks();
  expect(world.server.control.violations()).toEqual([]);
});

afterAll(async () => {
  await world?.stop();
});

describe("audit chain anchors in promotion PRs", () => {
  it("each promotion PR's body anchors its promotion.requested event, and a double click keeps it", async () => {
    for (const app of ["api", "web"]) {
      const { result, token } = await promote(app);
      const p = result.ok ? result.promotion : undefined;
      const requested = await world.db.promotionEvent.findFirstOrThrow({
        where: { promotionId: p?.id ?? "", type: "promotion.requested" },
      });
      const pr = world.server.control.pullRequests().find((r) => r.number === p?.prNumber);
      expect(pr?.head).toBe(p?.branch);
      expect(pr?.body).toContain(`\nLadder-Audit-Anchor: ${requested.id}:${requested.hash}\n`);
      expect(parseAuditAnchor(pr?.body)).toEqual({
        kind: "anchor",
        anchor: { eventId: requested.id.toString(), hash: requested.hash },
      });
      opened[app] = { pr: pr?.number ?? 0, url: p?.prUrl ?? "", eventId: requested.id.toString(), promotionId: p?.id ?? "" };

      // A second request for the same branch gets the same PR back, anchor untouched.
      const body = pr?.body;
      const again = await requestPromotion(world.ctx, { token, actor: alice });
      expect(again).toMatchObject({ ok: true, status: "existing", promotion: { prNumber: pr?.number } });
      expect(world.server.control.pullRequests().filter((r) => r.head === p?.branch)).toHaveLength(1);
      expect(world.server.control.pullRequests().find((r) => r.number === pr?.number)?.body).toBe(body);
    }
  });

  it("`ladder audit verify` checks the chain against every anchor and names the newest anchored point", async () => {
    // Something recorded after the newest PR (a lock, say): not anchored until the next promotion.
    await world.db.$transaction((tx) =>
      appendEvent(tx, { repository: REPOSITORY, type: "environment.locked", actor: "carol", detail: { env: "prod" } }),
    );
    const after = await world.db.promotionEvent.count({ where: { id: { gt: BigInt(opened.web?.eventId ?? "0") } } });
    expect(after).toBe(2); // web's promotion.opened and the lock

    const ok = await cli(withGitHub(), "audit", "verify");
    expect(ok.code, ok.out + ok.err).toBe(0);
    const total = await world.db.promotionEvent.count();
    expect(ok.out).toMatch(new RegExp(`^ok: ${total} events verified`));
    expect(ok.out).toContain(
      `anchors: ok: 2 anchors checked in 2 promotion PRs of ${REPOSITORY}; newest anchored point: event #${opened.web?.eventId}`,
    );
    expect(ok.out).toContain(`from PR #${opened.web?.pr}, 2 events after it not anchored yet`);

    const json = JSON.parse((await cli(withGitHub(), "audit", "verify", "--json")).out);
    expect(json).toMatchObject({
      ok: true,
      chainOk: true,
      checked: total,
      anchors: { status: "checked", ok: true, checked: 2, pulls: 2, problems: [], newest: { pr: opened.web?.pr } },
    });
  });

  it("a history rewritten with recomputed hashes verifies as a chain, but not against the anchors", async () => {
    const rows = await world.db.promotionEvent.findMany({ orderBy: { id: "asc" } });
    const from = rows.findIndex((r) => r.id.toString() === opened.api?.eventId);
    expect(from).toBeGreaterThanOrEqual(0);
    // Say mallory asked for the api promotion, and rebuild every later link so the chain holds.
    let prev = rows[from]?.prevHash ?? "";
    const rewrite: string[] = [];
    for (const [i, row] of rows.entries()) {
      if (i < from) continue;
      const actor = i === from ? "mallory" : row.actor;
      const hash = eventHash(prev, { ...row, actor });
      rewrite.push(`UPDATE promotion_event SET actor = '${actor}', prev_hash = '${prev}', hash = '${hash}' WHERE id = ${row.id}`);
      prev = hash;
    }
    await tamper(rewrite.join("; "));
    expect(await verifyChain(world.db)).toMatchObject({ ok: true, checked: rows.length });

    const report = await cli(withGitHub(), "audit", "verify");
    expect(report.code).toBe(1);
    expect(report.out).toMatch(/^ok: \d+ events verified/);
    expect(report.out).toContain(
      `ANCHOR MISMATCH in PR #${opened.api?.pr} (${opened.api?.url}): event #${opened.api?.eventId} has hash`,
    );
    expect(report.out).toContain(`ANCHOR MISMATCH in PR #${opened.web?.pr}`);
    expect(report.out).toContain("the history up to it was rewritten");
    expect(report.out).toContain("anchors: FAILED: 2 anchors checked");

    // Put it back: verified again.
    await tamper(
      rows
        .slice(from)
        .map(
          (r) =>
            `UPDATE promotion_event SET actor = '${r.actor}', prev_hash = '${r.prevHash}', hash = '${r.hash}' WHERE id = ${r.id}`,
        )
        .join("; "),
    );
    expect((await cli(withGitHub(), "audit", "verify")).code).toBe(0);
  });

  it("deleting the newest promotion with its events is named by that promotion's PR", async () => {
    // First only what came after the newest PR: that is beyond any anchor (see docs/security.md).
    const webRequested = BigInt(opened.web?.eventId ?? "0");
    await tamper(`DELETE FROM promotion_event WHERE id > ${webRequested}`);
    const beyond = await cli(withGitHub(), "audit", "verify");
    expect(beyond.code, beyond.out).toBe(0);
    expect(beyond.out).toContain("0 events after it not anchored yet");

    // Then the newest promotion itself, row and events: the chain alone cannot tell.
    await tamper(
      `DELETE FROM promotion_event WHERE promotion_id = '${opened.web?.promotionId}'; DELETE FROM promotion WHERE id = '${opened.web?.promotionId}'`,
    );
    expect(await world.db.promotion.count({ where: { app: "web" } })).toBe(0);
    expect((await verifyChain(world.db)).ok).toBe(true);

    const report = await cli(withGitHub(), "audit", "verify");
    expect(report.code).toBe(1);
    expect(report.out).toContain(
      `ANCHOR MISMATCH in PR #${opened.web?.pr} (${opened.web?.url}): event #${opened.web?.eventId} is missing from the database`,
    );
    expect(report.out).not.toContain(`ANCHOR MISMATCH in PR #${opened.api?.pr} `);
    const json = JSON.parse((await cli(withGitHub(), "audit", "verify", "--json")).out);
    expect(json).toMatchObject({
      ok: false,
      chainOk: true,
      anchors: { ok: false, checked: 2, problems: [{ pr: opened.web?.pr, eventId: opened.web?.eventId }] },
    });
  });

  it("says plainly when the anchors could not be checked (exit 3), and still verifies the chain", async () => {
    const noGitHub = await cli(
      { DATABASE_URL: world.database.url, GITHUB_TOKEN: undefined, LADDER_REPOSITORY: undefined },
      "audit",
      "verify",
    );
    expect(noGitHub.code).toBe(3);
    expect(noGitHub.out).toMatch(/^ok: \d+ events verified/);
    expect(noGitHub.out).toContain(
      "anchors: NOT CHECKED (no GitHub credentials (GITHUB_TOKEN or GITHUB_APP_*) and LADDER_REPOSITORY configured)",
    );

    world.server.control.injectFault({
      kind: "status",
      status: 422,
      message: "Validation Failed",
      match: { operationId: "pulls/list" },
      times: 1,
    });
    const failing = await cli(withGitHub(), "audit", "verify", "--json");
    expect(failing.code).toBe(3);
    expect(JSON.parse(failing.out)).toMatchObject({
      ok: false,
      chainOk: true,
      anchors: { status: "not-checked", reason: expect.stringContaining(`listing the promotion PRs of ${REPOSITORY} failed`) },
    });
  });
});
