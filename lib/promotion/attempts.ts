/**
 * One attempt's row and its pull request, as both a request (request-promotion.ts) and the
 * reconciler (track-pull-requests.ts) handle them: the PR found by the attempt's branch name, a
 * failed attempt recorded (slot released, a superseded row reinstated), a branch left without a
 * PR removed, a superseded PR closed with a pointer to its successor.
 */
import type { Promotion } from "../generated/prisma/client";
import { GitHubError } from "../github/errors";
import type { RepoRef } from "../github/github-reader";
import { referenceText } from "../github/promotion-pr-text";
import { closePullRequest, deleteBranch, findPullRequestByBranch, type PullRequestSummary } from "../github/pull-requests";
import { nowOf, type PromotionContext } from "./context";
import { messageOf } from "./errors";
import { transition } from "./promotion-state";

export interface SupersedeOutcome {
  promotionId: string;
  prNumber: number | null;
  /** False when closing the older PR failed; the reconciler closes it later. */
  closed: boolean;
  error?: string;
}

export function repoRef(ctx: PromotionContext): RepoRef {
  return { owner: ctx.repo.owner, repo: ctx.repo.name };
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
export async function removeOrphanBranch(ctx: PromotionContext, row: Promotion): Promise<void> {
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
  newer: { id: string; digest: string | null; tag: string | null; prNumber: number | null; prUrl: string | null },
  actor: string,
): Promise<SupersedeOutcome> {
  try {
    if (older.prNumber) {
      const link = newer.prNumber ? `#${newer.prNumber}${newer.prUrl ? ` (${newer.prUrl})` : ""}` : "a newer promotion";
      await closePullRequest(ctx.github, repoRef(ctx), older.prNumber, {
        comment: `Superseded by ${link}, which promotes ${referenceText(newer)} to ${older.toEnv} instead of ${referenceText(older)}. Closed by Ladder on behalf of ${actor}.`,
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
