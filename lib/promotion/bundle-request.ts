/**
 * Executes a bundle preview: re-assess every member at the branch head, leave out the stale and
 * the refused (each named, before anything is written), write the rows ahead (bundle-claim.ts),
 * open one PR with one commit touching each member's own file, and record it on every row.
 *
 * A GitHub failure marks every row FAILED with the cause and removes the bundle's branch; a retry
 * is the next attempt of each member (a new bundle id, new rows), so history keeps what happened.
 * A database failure after the PR exists leaves the rows PENDING with the bundle's deterministic
 * branch name, which the reconciler uses to find the PR and repair them.
 */
import type { Promotion } from "../generated/prisma/client";
import { StaleViewError } from "../github/errors";
import { openPromotionPr, type PromotionPr } from "../github/open-promotion-pr";
import { type AuditAnchor, type PromotionChange, referenceText } from "../github/promotion-pr-text";
import { registryEvidenceMarkdown } from "../registry";
import { closeSuperseded, findPullForRow, markFailed, removeOrphanBranch, repoRef, type SupersedeOutcome } from "./attempts";
import { assessBundle, type BundleLeftOut } from "./bundle";
import { claimBundle } from "./bundle-claim";
import { type BundleToken, decodeBundleToken } from "./bundle-token";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { messageOf, PromotionInputError } from "./errors";
import type { Assessment } from "./preview-promotion";
import { attemptOf, type PromotionRecord, toPromotionRecord } from "./promotion-record";
import { applyPullRequestState } from "./promotion-state";

export type RequestBundleResult =
  | {
      ok: true;
      status: "opened" | "existing";
      bundleId: string;
      prNumber: number | null;
      prUrl: string | null;
      promotions: PromotionRecord[];
      /** Members of the preview that did not go in, with the reasons (stale, refused, busy). */
      leftOut: BundleLeftOut[];
      superseded: SupersedeOutcome[];
    }
  | {
      ok: false;
      reason: "invalid" | "refused" | "stale" | "busy" | "failed" | "unrecorded";
      message: string;
      leftOut: BundleLeftOut[];
      promotions?: PromotionRecord[];
      prUrl?: string;
    };

/** Why a member's re-assessment no longer matches what the user confirmed, or undefined. */
function staleReason(a: Assessment, m: BundleToken["members"][number], headCommit: string): string | undefined {
  const p = a.preview;
  if (p.request.digest !== m.digest || p.request.tag !== m.tag)
    return `${p.request.fromEnv ?? "the source"} now runs ${referenceText(p.request)}, not ${referenceText(m)} as when you looked`;
  if (p.change?.path !== m.path || p.view.blobSha !== m.blobSha || a.blobShaAtHead !== m.blobSha)
    return `${m.path} changed since you looked (the branch is now at ${headCommit.slice(0, 12)})`;
  return undefined;
}

function changeOf(a: Assessment, row: Promotion): PromotionChange {
  const plan = a.plan;
  const ev = a.preview.evidence;
  return {
    app: row.app,
    image: row.image,
    from: { digest: row.previousDigest, tag: row.previousTag },
    to: { digest: row.digest, tag: row.tag },
    path: plan?.path ?? row.targetPath ?? "",
    diff: plan?.unifiedDiff ?? "",
    evidence: ev?.observed
      ? [
          {
            environment: ev.env,
            ...(ev.since ? { since: ev.since } : {}),
            ...(ev.commit ? { commit: ev.commit } : {}),
            ...(ev.url ? { url: ev.url } : {}),
          },
        ]
      : [],
    ...(a.preview.registry ? { registry: registryEvidenceMarkdown(a.preview.registry) } : {}),
  };
}

async function records(ctx: PromotionContext, rows: readonly Promotion[]): Promise<PromotionRecord[]> {
  const fresh = await ctx.db.promotion.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
  const byId = new Map(fresh.map((r) => [r.id, r]));
  return rows.map((r) => toPromotionRecord(byId.get(r.id) ?? r));
}

async function recordPr(ctx: PromotionContext, rows: readonly Promotion[], pr: PromotionPr, actor: string): Promise<void> {
  for (const row of rows)
    await applyPullRequestState(ctx.db, row.id, pr, {
      source: "request",
      actor,
      at: nowOf(ctx),
      detail: { created: pr.created, bundleId: row.bundleId },
    });
}

async function openBundlePr(
  ctx: PromotionContext,
  token: BundleToken,
  assessments: readonly Assessment[],
  rows: readonly Promotion[],
  actor: Actor,
  anchor: AuditAnchor | undefined,
): Promise<PromotionPr> {
  const first = assessments[0];
  if (!first) throw new PromotionInputError("Nothing to promote.");
  const treeSha = (first.planView.snapshot as { treeSha?: unknown }).treeSha;
  const byApp = new Map(assessments.map((a) => [a.preview.request.app, a]));
  return await openPromotionPr({
    client: ctx.github,
    ...repoRef(ctx),
    baseBranch: ctx.repo.branch,
    seen: { commit: first.planView.snapshot.commit, ...(typeof treeSha === "string" ? { treeSha } : {}) },
    files: rows.map((row) => {
      const a = byApp.get(row.app);
      return { path: a?.plan?.path ?? "", content: a?.plan?.after ?? "", expectedBlobSha: a?.preview.view.blobSha ?? "" };
    }),
    fromEnv: rows[0]?.fromEnv ?? token.fromEnv ?? token.toEnv,
    toEnv: token.toEnv,
    changes: rows.map((row) => {
      const a = byApp.get(row.app);
      if (!a) throw new Error(`no assessment for ${row.app}`);
      return changeOf(a, row);
    }),
    bundleId: rows[0]?.bundleId ?? undefined,
    actor: actor.login,
    ...(anchor ? { anchor } : {}),
    ...(ctx.queue ? { queue: ctx.queue } : {}),
  });
}

/** Executes what the bundle dialog showed. Re-checks every member; never throws for an expected refusal. */
export async function requestBundle(ctx: PromotionContext, input: { token: string; actor: Actor }): Promise<RequestBundleResult> {
  const decoded = decodeBundleToken(input.token);
  if (!decoded.ok) return { ok: false, reason: "invalid", message: decoded.message, leftOut: [] };
  const t = decoded.token;
  let assessed: Awaited<ReturnType<typeof assessBundle>>;
  try {
    // Decide on the branch head as it is now, not as a cached view within the head TTL.
    ctx.repo.invalidate();
    assessed = await assessBundle(
      ctx,
      {
        toEnv: t.toEnv,
        apps: t.members.map((m) => m.app),
        ...(t.fromEnv && !t.rollback ? { fromEnv: t.fromEnv } : {}),
        ...(t.rollback ? { rollback: Object.fromEntries(t.members.map((m) => [m.app, m.digest ?? ""])) } : {}),
      },
      input.actor,
      { planAt: t.commit },
    );
  } catch (error) {
    if (error instanceof PromotionInputError) return { ok: false, reason: "invalid", message: error.message, leftOut: [] };
    throw error;
  }
  const leftOut: BundleLeftOut[] = [...assessed.leftOut];
  let going: Assessment[] = [];
  for (const m of t.members) {
    const a = assessed.assessments.find((x) => x.preview.request.app === m.app);
    if (!a) continue;
    const stale = staleReason(a, m, assessed.head.snapshot.commit);
    if (stale) leftOut.push({ app: m.app, reasons: [`stale: ${stale}; review it again`], preview: a.preview });
    else going.push(a);
  }
  if (going.length === 0) {
    const allStale = leftOut.length > 0 && leftOut.every((l) => l.reasons.every((r) => r.startsWith("stale:")));
    return {
      ok: false,
      reason: allStale ? "stale" : "refused",
      message: `Nothing in the bundle can move to ${t.toEnv}: ${leftOut.map((l) => `${l.app} (${l.reasons.join("; ")})`).join(", ")}.`,
      leftOut,
    };
  }

  let claim = await claimBundle(ctx, going, input.actor);
  if (claim.kind === "held") {
    // Opened on its own (or in another bundle) since the preview: that PR stays the promotion.
    const held = new Set(claim.held.map((h) => h.app));
    for (const h of claim.held)
      leftOut.push({
        app: h.app,
        reasons: [`already open as ${h.row.prNumber ? `PR #${h.row.prNumber}` : "a pull request being opened"}`],
        preview: null,
      });
    going = going.filter((a) => !held.has(a.preview.request.app));
    if (going.length === 0)
      return { ok: false, reason: "busy", message: `Every app of the bundle is already open in another pull request.`, leftOut };
    claim = await claimBundle(ctx, going, input.actor);
  }
  if (claim.kind === "held")
    return {
      ok: false,
      reason: "busy",
      message: `Other promotions of ${claim.held.map((h) => h.app).join(", ")} are being opened; try again shortly.`,
      leftOut,
    };
  if (claim.kind === "busy") {
    return {
      ok: false,
      reason: "busy",
      message: `Another promotion is being opened for ${claim.busy.map((b) => b.app).join(", ")}; try again shortly.`,
      leftOut,
    };
  }
  if (claim.kind === "existing") {
    const rows = claim.rows;
    const pending = rows.filter((r) => r.status === "PENDING");
    if (pending.length > 0) {
      // Another request is opening it right now, or an earlier one was interrupted: the PR may
      // already exist (found by the bundle's branch name); otherwise opening is idempotent.
      const found = await findPullForRow(ctx, rows[0] as Promotion);
      const pr = found ? { ...found, created: false } : await openBundlePr(ctx, t, going, rows, input.actor, undefined);
      await recordPr(ctx, pending, pr, input.actor.login);
    }
    const promotions = await records(ctx, rows);
    return {
      ok: true,
      status: "existing",
      bundleId: rows[0]?.bundleId ?? "",
      prNumber: promotions[0]?.prNumber ?? null,
      prUrl: promotions[0]?.prUrl ?? null,
      promotions,
      leftOut,
      superseded: [],
    };
  }

  const { rows, supersedes, anchor, bundleId } = claim;
  if (rows.some((r) => attemptOf(r.idempotencyKey) > 1)) {
    // An earlier attempt of this set used the same branch name: start from a clean branch.
    await removeOrphanBranch(ctx, rows[0] as Promotion);
  }
  let pr: PromotionPr;
  try {
    pr = await openBundlePr(ctx, t, going, rows, input.actor, anchor);
  } catch (error) {
    console.error(`[promotion] opening the PR for bundle ${bundleId} failed`, error);
    for (const row of rows) await markFailed(ctx, row, error, { actor: input.actor.login, supersedes: supersedes.get(row.id) });
    await removeOrphanBranch(ctx, rows[0] as Promotion);
    return {
      ok: false,
      reason: error instanceof StaleViewError ? "stale" : "failed",
      message: messageOf(error),
      leftOut,
      promotions: await records(ctx, rows),
    };
  }
  try {
    await recordPr(ctx, rows, pr, input.actor.login);
  } catch (error) {
    console.error(`[promotion] PR #${pr.number} opened for bundle ${bundleId}, but recording it failed`, error);
    return {
      ok: false,
      reason: "unrecorded",
      message: `Pull request #${pr.number} was opened, but recording it failed (${messageOf(error)}). Ladder will pick it up by its branch name on the next reconcile.`,
      prUrl: pr.url,
      leftOut,
    };
  }
  const superseded: SupersedeOutcome[] = [];
  for (const row of rows) {
    const older = supersedes.get(row.id);
    if (older)
      superseded.push(
        await closeSuperseded(
          ctx,
          older,
          { id: row.id, digest: row.digest, tag: row.tag, prNumber: pr.number, prUrl: pr.url },
          input.actor.login,
        ),
      );
  }
  return {
    ok: true,
    status: pr.created ? "opened" : "existing",
    bundleId,
    prNumber: pr.number,
    prUrl: pr.url,
    promotions: await records(ctx, rows),
    leftOut,
    superseded,
  };
}
