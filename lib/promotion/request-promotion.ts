/**
 * Executes a promotion, written ahead:
 *   1. re-run every check on the server against the branch head; refuse a stale view;
 *   2. one transaction: the Promotion row PENDING (idempotency key + the one open slot per
 *      (repository, app, environment)) and its `promotion.requested` event (claim-promotion.ts);
 *   3. GitHub: branch, commit, PR (openPromotionPr is itself idempotent by branch name). The PR
 *      body anchors the audit chain at the `promotion.requested` event of step 2 (committed by
 *      then), so `ladder audit verify` can tell when events up to it were deleted or rewritten;
 *   4. the row OPEN with the PR, and a `promotion.opened` event.
 * A GitHub failure makes the row FAILED (with the error, the partial branch removed, the slot
 * released: attempts.ts, shared with the reconciler). A database failure after the PR exists leaves the row PENDING with its
 * deterministic branch name, which the reconciler uses to find the PR and repair the row.
 *
 * Attempts: the idempotency key is `repository|app|toEnv|digest#n`. A double click or a second
 * replica finds attempt n PENDING or OPEN and gets that row (and PR) back. After a FAILED or
 * CLOSED attempt (or a MERGED one later rolled back) a new request is attempt n+1, a new row:
 * earlier attempts stay as they ended, so history is never rewritten.
 */
import type { Promotion } from "../generated/prisma/client";
import { StaleViewError } from "../github/errors";
import { openPromotionPr, type PromotionPr } from "../github/open-promotion-pr";
import { type AuditAnchor, referenceText } from "../github/promotion-pr-text";
import { closePullRequest } from "../github/pull-requests";
import { registryEvidenceMarkdown } from "../registry";
import { closeSuperseded, findPullForRow, markFailed, removeOrphanBranch, repoRef, type SupersedeOutcome } from "./attempts";
import { appendEvent } from "./audit-chain";
import { claimPromotion } from "./claim-promotion";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { messageOf, PromotionInputError } from "./errors";
import type { PolicyCheck } from "./policy";
import { type Assessment, assessPromotion, type PromotionRequest } from "./preview-promotion";
import { addressOf, attemptOf, type PromotionRecord, toPromotionRecord } from "./promotion-record";
import { applyPullRequestState } from "./promotion-state";
import { decodePromotionToken } from "./promotion-token";
import { recordRefusal } from "./record-refusal";

export type RequestPromotionResult =
  | {
      ok: true;
      /** "opened": this request opened the PR; "existing": an earlier request (double click, another replica) had. */
      status: "opened" | "existing";
      promotion: PromotionRecord;
      superseded?: SupersedeOutcome;
    }
  | {
      ok: false;
      /**
       * invalid: bad token or input · refused: a policy check failed (see `checks`) · stale: the
       * target file changed since the preview · busy: another promotion of this app to this
       * environment is being opened · failed: GitHub refused or failed (row FAILED, `promotion`)
       * · unrecorded: the PR was opened but the database update failed (the reconciler repairs it).
       */
      reason: "invalid" | "refused" | "stale" | "busy" | "failed" | "unrecorded";
      message: string;
      checks?: PolicyCheck[];
      promotion?: PromotionRecord;
      prUrl?: string;
    };

/** The chain point a row's PR anchors: its `promotion.requested` event (written with the row). */
async function requestedAnchor(ctx: PromotionContext, row: Promotion): Promise<AuditAnchor | undefined> {
  const event = await ctx.db.promotionEvent.findFirst({
    where: { promotionId: row.id, type: "promotion.requested" },
    orderBy: { id: "asc" },
    select: { id: true, hash: true },
  });
  return event ? { eventId: event.id.toString(), hash: event.hash } : undefined;
}

/**
 * The reconciler gave up on this row (PENDING past its grace period: it looked interrupted) while
 * this request was still opening its PR. The row stays FAILED, its slot may already be someone
 * else's, so the PR it just opened must not live on untracked: close it, delete its branch, and
 * record that on the row.
 */
async function withdrawPr(
  ctx: PromotionContext,
  row: Promotion,
  pr: PromotionPr,
  actor: string,
): Promise<RequestPromotionResult> {
  const reason = `recorded as failed while its pull request was being opened (${row.error ?? "interrupted"})`;
  let closed = true;
  try {
    await closePullRequest(ctx.github, repoRef(ctx), pr.number, {
      comment: `Closed by Ladder: this promotion was ${reason}. Request it again from Ladder.`,
      deleteBranch: true,
    });
  } catch (error) {
    closed = false;
    console.error(`[promotion] could not withdraw PR #${pr.number} of failed promotion ${row.id}`, error);
  }
  await ctx.db.$transaction((tx) =>
    appendEvent(tx, {
      promotionId: row.id,
      repository: row.repository,
      type: "promotion.closed",
      actor,
      at: nowOf(ctx),
      detail: { reason: "withdrawn", prNumber: pr.number, prUrl: pr.url, closed, status: row.status },
    }),
  );
  return {
    ok: false,
    reason: "failed",
    message: `The promotion took too long and was ${reason}; ${closed ? `pull request #${pr.number} was closed` : `close pull request #${pr.number}`}. Try again.`,
    promotion: toPromotionRecord(row),
    prUrl: pr.url,
  };
}

async function openFor(
  ctx: PromotionContext,
  a: Assessment,
  row: Promotion,
  actor: Actor,
  supersedes: Promotion | undefined,
  anchor: AuditAnchor | undefined,
): Promise<RequestPromotionResult> {
  const plan = a.edit;
  const { preview } = a;
  if (!plan || (!preview.request.digest && !preview.request.tag)) throw new PromotionInputError("Nothing to promote.");
  const kind = preview.request.kind;
  const treeSha = (a.planView.snapshot as { treeSha?: unknown }).treeSha;
  const ev = preview.evidence;
  let pr: PromotionPr;
  try {
    pr = await openPromotionPr({
      client: ctx.github,
      ...repoRef(ctx),
      baseBranch: ctx.repo.branch,
      seen: { commit: a.planView.snapshot.commit, ...(typeof treeSha === "string" ? { treeSha } : {}) },
      files: [{ path: plan.path, content: plan.after, expectedBlobSha: preview.view.blobSha ?? "" }],
      fromEnv: row.fromEnv,
      // A canary's PR names its target: "Promote api to prod/us-east-1".
      toEnv: addressOf(row.toEnv, row.target),
      changes: [
        {
          app: row.app,
          ...(kind === "image" ? { image: row.image } : { artifact: { kind, name: row.image } }),
          from: { digest: plan.from.digest, tag: plan.from.tag },
          to: { digest: row.digest, tag: row.tag },
          path: plan.path,
          diff: plan.unifiedDiff,
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
          ...(preview.registry ? { registry: registryEvidenceMarkdown(preview.registry) } : {}),
        },
      ],
      actor: actor.login,
      ...(anchor ? { anchor } : {}),
      ...(ctx.queue ? { queue: ctx.queue } : {}),
    });
  } catch (error) {
    console.error(`[promotion] opening the PR for promotion ${row.id} failed`, error);
    const failed = await markFailed(ctx, row, error, { actor: actor.login, supersedes });
    if (failed?.status === "OPEN" || failed?.status === "MERGED") {
      // A concurrent request for the same attempt succeeded meanwhile.
      return { ok: true, status: "existing", promotion: toPromotionRecord(failed) };
    }
    await removeOrphanBranch(ctx, row);
    return {
      ok: false,
      reason: error instanceof StaleViewError ? "stale" : "failed",
      message: messageOf(error),
      ...(failed ? { promotion: toPromotionRecord(failed) } : {}),
    };
  }
  try {
    const recorded = await applyPullRequestState(ctx.db, row.id, pr, {
      source: "request",
      actor: actor.login,
      at: nowOf(ctx),
      detail: { created: pr.created },
    });
    if (!recorded && pr.created) {
      const now = await ctx.db.promotion.findUniqueOrThrow({ where: { id: row.id } });
      if (now.status === "FAILED") return await withdrawPr(ctx, now, pr, actor.login);
    }
  } catch (error) {
    console.error(`[promotion] PR #${pr.number} opened for promotion ${row.id}, but recording it failed`, error);
    return {
      ok: false,
      reason: "unrecorded",
      message: `Pull request #${pr.number} was opened, but recording it failed (${messageOf(error)}). Ladder will pick it up by its branch name on the next reconcile.`,
      prUrl: pr.url,
      promotion: toPromotionRecord(row),
    };
  }
  const superseded = supersedes
    ? await closeSuperseded(
        ctx,
        supersedes,
        { id: row.id, digest: row.digest, tag: row.tag, prNumber: pr.number, prUrl: pr.url },
        actor.login,
      )
    : undefined;
  const fresh = await ctx.db.promotion.findUniqueOrThrow({ where: { id: row.id } });
  return {
    ok: true,
    status: pr.created ? "opened" : "existing",
    promotion: toPromotionRecord(fresh),
    ...(superseded ? { superseded } : {}),
  };
}

/** Executes what a preview showed. Re-checks everything; never throws for an expected refusal. */
export async function requestPromotion(
  ctx: PromotionContext,
  input: { token: string; actor: Actor },
): Promise<RequestPromotionResult> {
  const decoded = decodePromotionToken(input.token);
  if (!decoded.ok) return { ok: false, reason: "invalid", message: decoded.message };
  const t = decoded.token;
  const request: PromotionRequest = {
    app: t.app,
    toEnv: t.toEnv,
    ...(t.target ? { target: t.target } : {}),
    ...(t.fromEnv && !t.rollback ? { fromEnv: t.fromEnv } : {}),
    ...(t.kind && t.kind !== "image" ? { artifact: { kind: t.kind, name: t.image } } : { image: t.image }),
    ...(t.digest ? { digest: t.digest } : {}),
    rollback: t.rollback,
  };
  let a: Assessment;
  try {
    // Decide on the branch head as it is now, not as a cached view within the head TTL.
    ctx.repo.invalidate();
    a = await assessPromotion(ctx, request, input.actor, { planAt: t.commit });
  } catch (error) {
    if (error instanceof PromotionInputError) return { ok: false, reason: "invalid", message: error.message };
    throw error;
  }
  const { preview } = a;
  if (preview.change?.path !== t.path || preview.view.blobSha !== t.blobSha || a.blobShaAtHead !== t.blobSha) {
    return {
      ok: false,
      reason: "stale",
      message: `${t.path} changed since you looked (the branch is now at ${a.head.snapshot.commit.slice(0, 12)}); review the promotion again.`,
    };
  }
  if (!preview.allowed) {
    const failed = preview.checks.filter((c) => c.status === "fail");
    const holder = preview.openPromotion;
    if (holder?.status === "PENDING" && failed.every((c) => c.id === "open-promotion")) {
      // Only a rival being opened right now stands in the way: transient, the same answer the claim gives.
      const said = failed.map((c) => c.reason).join("; ");
      return {
        ok: false,
        reason: "busy",
        message: `${said.charAt(0).toUpperCase()}${said.slice(1)}.`,
        checks: preview.checks,
      };
    }
    // Notifications (#14): the refusal is an audit event, so it can be routed like the others.
    await recordRefusal(ctx, preview, input.actor);
    return {
      ok: false,
      reason: "refused",
      message: failed.map((c) => c.reason).join("; "),
      checks: preview.checks,
    };
  }

  if (preview.request.digest !== t.digest || preview.request.tag !== t.tag) {
    const was = referenceText({ digest: t.digest, tag: t.tag });
    const now = referenceText({ digest: preview.request.digest, tag: preview.request.tag });
    return {
      ok: false,
      reason: "stale",
      message: `${t.fromEnv ?? "The source environment"} now runs ${now}, not ${was} as when you looked; review the promotion again.`,
    };
  }
  const claimed = await claimPromotion(ctx, a, input.actor);
  if (claimed.kind === "busy") {
    return {
      ok: false,
      reason: "busy",
      message: `Another promotion of ${t.app} to ${t.toEnv} (${referenceText(claimed.holder)}) is being opened; try again shortly.`,
      promotion: toPromotionRecord(claimed.holder),
    };
  }
  if (claimed.kind === "existing") {
    const row = claimed.row;
    if (row.status !== "PENDING") return { ok: true, status: "existing", promotion: toPromotionRecord(row) };
    // PENDING: another request is opening it right now, or an earlier one was interrupted.
    // The PR may already exist (found by its branch name); otherwise opening is idempotent.
    const pr = await findPullForRow(ctx, row);
    if (pr) {
      await applyPullRequestState(ctx.db, row.id, pr, { source: "request", actor: input.actor.login, at: nowOf(ctx) });
      const fresh = await ctx.db.promotion.findUniqueOrThrow({ where: { id: row.id } });
      return { ok: true, status: "existing", promotion: toPromotionRecord(fresh) };
    }
    // An interrupted earlier request: its PR (opened now) anchors the event that request wrote.
    return await openFor(ctx, a, row, input.actor, undefined, await requestedAnchor(ctx, row));
  }
  if (attemptOf(claimed.row.idempotencyKey) > 1) {
    // Earlier attempts used the same branch name: start from a clean branch, not their commit.
    await removeOrphanBranch(ctx, claimed.row);
  }
  return await openFor(ctx, a, claimed.row, input.actor, claimed.supersedes, claimed.anchor);
}
