/**
 * Executes a promotion, written ahead:
 *   1. re-run every check on the server against the branch head; refuse a stale view;
 *   2. one transaction: the Promotion row PENDING (idempotency key + the one open slot per
 *      (repository, app, environment)) and its `promotion.requested` event;
 *   3. GitHub: branch, commit, PR (openPromotionPr is itself idempotent by branch name). The PR
 *      body anchors the audit chain at the `promotion.requested` event of step 2 (committed by
 *      then), so `ladder audit verify` can tell when events up to it were deleted or rewritten;
 *   4. the row OPEN with the PR, and a `promotion.opened` event.
 * A GitHub failure makes the row FAILED (with the error, the partial branch removed, the slot
 * released). A database failure after the PR exists leaves the row PENDING with its
 * deterministic branch name, which the reconciler uses to find the PR and repair the row.
 *
 * Attempts: the idempotency key is `repository|app|toEnv|digest#n`. A double click or a second
 * replica finds attempt n PENDING or OPEN and gets that row (and PR) back. After a FAILED or
 * CLOSED attempt (or a MERGED one later rolled back) a new request is attempt n+1, a new row:
 * earlier attempts stay as they ended, so history is never rewritten.
 */
import { randomUUID } from "node:crypto";
import type { Promotion } from "../generated/prisma/client";
import { GitHubError, StaleViewError } from "../github/errors";
import type { RepoRef } from "../github/github-reader";
import { openPromotionPr, type PromotionPr } from "../github/open-promotion-pr";
import { type AuditAnchor, promotionBranchName } from "../github/promotion-pr-text";
import { closePullRequest, deleteBranch, findPullRequestByBranch, type PullRequestSummary } from "../github/pull-requests";
import { shortDigest } from "../gitops/image-ref";
import { appendEvent } from "./audit-chain";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { isUniqueViolation, messageOf, PromotionInputError } from "./errors";
import type { PolicyCheck } from "./policy";
import { type Assessment, assessPromotion, type PromotionRequest } from "./preview-promotion";
import { attemptOf, idempotencyKey, openSlot, type PromotionRecord, toPromotionRecord } from "./promotion-record";
import { applyPullRequestState, transition } from "./promotion-state";
import { decodePromotionToken } from "./promotion-token";

export interface SupersedeOutcome {
  promotionId: string;
  prNumber: number | null;
  /** False when closing the older PR failed; the reconciler closes it later. */
  closed: boolean;
  error?: string;
}

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

function repoRef(ctx: PromotionContext): RepoRef {
  return { owner: ctx.repo.owner, repo: ctx.repo.name };
}

type Claim =
  | { kind: "existing"; row: Promotion }
  | { kind: "created"; row: Promotion; supersedes: Promotion | undefined; anchor: AuditAnchor }
  | { kind: "busy"; holder: Promotion };

class ClaimRace extends Error {}

/** Inserts the PENDING row (or finds the attempt already in flight), superseding an older OPEN one. */
async function claim(ctx: PromotionContext, a: Assessment, actor: Actor): Promise<Claim> {
  const { preview, plan } = a;
  const { app, toEnv, digest, rollback } = preview.request;
  if (!digest || !plan) throw new PromotionInputError("Nothing to promote.");
  const repository = ctx.repo.repository;
  const slot = openSlot(repository, app, toEnv);
  const branch = promotionBranchName(app, toEnv, digest);
  for (let round = 0; round < 4; round++) {
    const latest = await ctx.db.promotion.findFirst({
      where: { repository, app, toEnv, digest },
      orderBy: { createdAt: "desc" },
    });
    if (latest && (latest.status === "PENDING" || latest.status === "OPEN")) return { kind: "existing", row: latest };
    const attempt = latest ? attemptOf(latest.idempotencyKey) + 1 : 1;
    const holder = await ctx.db.promotion.findUnique({ where: { openSlot: slot } });
    if (holder?.status === "PENDING") return { kind: "busy", holder };
    const id = randomUUID();
    const now = nowOf(ctx);
    try {
      return await ctx.db.$transaction(async (tx) => {
        if (holder) {
          const released = await transition(tx, holder.id, {
            from: ["OPEN"],
            when: (row) => row.openSlot === slot,
            actor: actor.login,
            at: now,
            // The older row stays OPEN (its PR is still open) until the PR is closed below.
            data: () => ({ openSlot: null }),
            events: () => [{ type: "promotion.superseded", detail: { by: id, byDigest: digest } }],
          });
          if (!released.changed) throw new ClaimRace();
        }
        const row = await tx.promotion.create({
          data: {
            id,
            repository,
            app,
            image: preview.request.image ?? plan.from.repository,
            fromEnv: preview.request.fromEnv ?? toEnv,
            toEnv,
            digest,
            previousDigest: plan.from.digest,
            status: "PENDING",
            idempotencyKey: idempotencyKey(repository, app, toEnv, digest, attempt),
            openSlot: slot,
            branch,
            baseCommit: a.planView.snapshot.commit,
            targetPath: plan.path,
            requestedBy: actor.login,
            rollback,
            sourceSince: preview.evidence?.since ? new Date(preview.evidence.since) : null,
            createdAt: now,
          },
        });
        const requested = await appendEvent(tx, {
          promotionId: id,
          repository,
          type: "promotion.requested",
          actor: actor.login,
          at: now,
          detail: {
            app,
            image: row.image,
            fromEnv: row.fromEnv,
            toEnv,
            digest,
            previousDigest: plan.from.digest,
            rollback,
            attempt,
            baseCommit: row.baseCommit,
            path: plan.path,
            blobSha: preview.view.blobSha,
            branch,
            evidence: preview.evidence
              ? {
                  env: preview.evidence.env,
                  since: preview.evidence.since,
                  commit: preview.evidence.commit,
                  runningNow: preview.evidence.runningNow,
                  commitsChecked: preview.evidence.commitsChecked,
                }
              : null,
            checks: preview.checks.map((c) => ({ id: c.id, status: c.status })),
            ...(holder ? { supersedes: holder.id } : {}),
          },
        });
        return {
          kind: "created" as const,
          row,
          supersedes: holder ?? undefined,
          anchor: { eventId: requested.id, hash: requested.hash },
        };
      });
    } catch (error) {
      // Someone else inserted this attempt or took the slot meanwhile: look again.
      if (isUniqueViolation(error) || error instanceof ClaimRace) continue;
      throw error;
    }
  }
  const holder = await ctx.db.promotion.findUnique({ where: { openSlot: slot } });
  if (holder) return { kind: "busy", holder };
  throw new Error(`Could not record the promotion of ${app} to ${toEnv}: it kept racing with other requests.`);
}

/**
 * The PR for a row, found by its deterministic branch name — excluding PRs that earlier
 * attempts of the same digest already recorded (they share the branch name).
 */
export async function findPullForRow(ctx: PromotionContext, row: Promotion): Promise<PullRequestSummary | undefined> {
  if (!row.branch) return undefined;
  const found = await findPullRequestByBranch(ctx.github, repoRef(ctx), row.branch);
  if (!found) return undefined;
  const claimed = await ctx.db.promotion.findFirst({
    where: {
      repository: row.repository,
      prNumber: found.number,
      id: { not: row.id },
    },
    select: { id: true },
  });
  return claimed ? undefined : found;
}

/** The chain point a row's PR anchors: its `promotion.requested` event (written with the row). */
async function requestedAnchor(ctx: PromotionContext, row: Promotion): Promise<AuditAnchor | undefined> {
  const event = await ctx.db.promotionEvent.findFirst({
    where: { promotionId: row.id, type: "promotion.requested" },
    orderBy: { id: "asc" },
    select: { id: true, hash: true },
  });
  return event ? { eventId: event.id.toString(), hash: event.hash } : undefined;
}

/** Marks a PENDING row FAILED, releasing its slot (and giving a superseded older row its slot back). */
export async function markFailed(
  ctx: PromotionContext,
  row: Promotion,
  error: unknown,
  options: { actor: string; supersedes?: Promotion; reason?: string },
): Promise<Promotion | null> {
  const at = nowOf(ctx);
  const message = options.reason ?? messageOf(error);
  return await ctx.db.$transaction(async (tx) => {
    const failed = await transition(tx, row.id, {
      from: ["PENDING"],
      actor: options.actor,
      at,
      data: () => ({ status: "FAILED", error: message, openSlot: null, closedAt: at }),
      events: () => [
        {
          type: "promotion.failed",
          detail: { error: message, ...(error instanceof GitHubError ? { code: error.code, status: error.status } : {}) },
        },
      ],
    });
    if (failed.changed && options.supersedes && row.openSlot) {
      const slot = row.openSlot;
      await transition(tx, options.supersedes.id, {
        from: ["OPEN"],
        when: (older) => older.openSlot === null,
        actor: options.actor,
        at,
        data: () => ({ openSlot: slot }),
        events: () => [{ type: "promotion.reinstated", detail: { reason: "the newer promotion failed", failed: row.id } }],
      });
    }
    return failed.row;
  });
}

/** Removes a promotion branch that has no PR (best effort: a leftover branch is only clutter). */
async function removeOrphanBranch(ctx: PromotionContext, row: Promotion): Promise<void> {
  if (!row.branch) return;
  try {
    const pr = await findPullRequestByBranch(ctx.github, repoRef(ctx), row.branch);
    if (pr?.state !== "open") await deleteBranch(ctx.github, repoRef(ctx), row.branch);
  } catch (error) {
    console.error(`[promotion] could not clean up branch ${row.branch} of promotion ${row.id}`, error);
  }
}

/** Closes the superseded PR with a comment pointing to the new one, and records it. */
export async function closeSuperseded(
  ctx: PromotionContext,
  older: Promotion,
  newer: { id: string; digest: string; prNumber: number | null; prUrl: string | null },
  actor: string,
): Promise<SupersedeOutcome> {
  try {
    if (older.prNumber) {
      const link = newer.prNumber ? `#${newer.prNumber}${newer.prUrl ? ` (${newer.prUrl})` : ""}` : "a newer promotion";
      await closePullRequest(ctx.github, repoRef(ctx), older.prNumber, {
        comment: `Superseded by ${link}, which promotes ${shortDigest(newer.digest)} to ${older.toEnv} instead of ${shortDigest(older.digest)}. Closed by Ladder on behalf of ${actor}.`,
        deleteBranch: true,
      });
    }
  } catch (error) {
    console.error(`[promotion] could not close superseded PR #${older.prNumber} of promotion ${older.id}`, error);
    return { promotionId: older.id, prNumber: older.prNumber, closed: false, error: messageOf(error) };
  }
  const at = nowOf(ctx);
  await ctx.db.$transaction((tx) =>
    transition(tx, older.id, {
      from: ["OPEN"],
      when: (row) => row.openSlot === null,
      actor,
      at,
      data: () => ({ status: "CLOSED", closedAt: at }),
      events: () => [
        {
          type: "promotion.closed",
          detail: { reason: "superseded", by: newer.id, byPr: newer.prNumber, prNumber: older.prNumber },
        },
      ],
    }),
  );
  return { promotionId: older.id, prNumber: older.prNumber, closed: true };
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
  const plan = a.plan;
  const { preview } = a;
  if (!plan || !preview.request.digest) throw new PromotionInputError("Nothing to promote.");
  const treeSha = (a.planView.snapshot as { treeSha?: unknown }).treeSha;
  const ev = preview.evidence;
  let pr: PromotionPr;
  try {
    pr = await openPromotionPr({
      client: ctx.github,
      ...repoRef(ctx),
      baseBranch: ctx.repo.branch,
      seen: { commit: a.planView.snapshot.commit, ...(typeof treeSha === "string" ? { treeSha } : {}) },
      expectedBlobSha: preview.view.blobSha ?? "",
      content: plan.after,
      app: row.app,
      fromEnv: row.fromEnv,
      toEnv: row.toEnv,
      image: row.image,
      oldDigest: plan.from.digest,
      newDigest: row.digest,
      path: plan.path,
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
      diff: plan.unifiedDiff,
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
    ? await closeSuperseded(ctx, supersedes, { id: row.id, digest: row.digest, prNumber: pr.number, prUrl: pr.url }, actor.login)
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
    ...(t.fromEnv && !t.rollback ? { fromEnv: t.fromEnv } : {}),
    image: t.image,
    digest: t.digest,
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
    return {
      ok: false,
      reason: "refused",
      message: failed.map((c) => c.reason).join("; "),
      checks: preview.checks,
    };
  }

  const claimed = await claim(ctx, a, input.actor);
  if (claimed.kind === "busy") {
    return {
      ok: false,
      reason: "busy",
      message: `Another promotion of ${t.app} to ${t.toEnv} (${shortDigest(claimed.holder.digest)}) is being opened; try again shortly.`,
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
