/**
 * Tracking promotions to their end. Webhooks are the fast path: each delivery is recorded by
 * its id first, in the same transaction as its effect, so a replay is recognised and a crash
 * mid-way lets GitHub's redelivery try again. The reconciler is the safety net for missed
 * webhooks and interrupted requests: it reads the PRs of PENDING and OPEN rows within a
 * request budget (on start and on page views), and for each PR still open its reviews and
 * checks (refresh-review-status.ts), merging it where ladder.yaml says `autoMerge`. A review,
 * check suite or status webhook only names the promotions to re-read ("refresh"): the reading
 * needs GitHub, so it happens after the delivery is recorded, not inside its transaction.
 */
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import type { RepoRef } from "../github/github-reader";
import { getPullRequestGate } from "../github/pull-request-status";
import { deleteBranch } from "../github/pull-requests";
import type { GitHubWebhookEvent } from "../github/webhooks";
import { closeSuperseded, findPullForRow, markFailed } from "./attempts";
import { nowOf, type PromotionContext } from "./context";
import { messageOf } from "./errors";
import { applyPullRequestState, type Transition } from "./promotion-state";
import { newRefreshRun, refreshReviewStatus } from "./refresh-review-status";
import { parseReviewStatus } from "./review-status";

export type WebhookResult =
  | { outcome: "duplicate"; deliveryId: string; message: string }
  | { outcome: "ignored"; deliveryId: string; message: string }
  | { outcome: "updated"; deliveryId: string; transitions: Transition[] }
  /** A review, check suite or status of these OPEN promotions' pull requests changed: re-read them (refreshPromotions). */
  | { outcome: "refresh"; deliveryId: string; promotionIds: string[] }
  | {
      outcome: "invalidate";
      deliveryId: string;
      /** The branch that moved: the caller revalidates cached views of it. */
      branch: string | undefined;
      changedPaths: string[];
    };

async function recordDelivery(tx: Prisma.TransactionClient, deliveryId: string, event: string): Promise<boolean> {
  const inserted = await tx.webhookDelivery.createMany({ data: [{ deliveryId, event }], skipDuplicates: true });
  return inserted.count === 1;
}

async function finishDelivery(tx: Prisma.TransactionClient, deliveryId: string, outcome: string): Promise<void> {
  await tx.webhookDelivery.update({ where: { deliveryId }, data: { processedAt: new Date(), outcome: outcome.slice(0, 500) } });
}

/**
 * Processes one verified delivery (from `parseWebhook`) exactly once.
 * pull_request closed+merged → MERGED, closed → CLOSED, opened → OPEN for a row still PENDING;
 * push → "invalidate"; pull_request_review, check_suite completed and status → "refresh" for the
 * OPEN promotions they name (by PR number, or by head commit). Deliveries for other repositories
 * or PRs Ladder did not open are ignored.
 */
export async function processWebhook(
  db: Db,
  event: GitHubWebhookEvent,
  deliveryId: string = event.deliveryId,
): Promise<WebhookResult> {
  const eventName = event.kind === "ignored" || event.kind === "merge_gate" ? event.event : event.kind;
  return await db.$transaction(async (tx): Promise<WebhookResult> => {
    if (!(await recordDelivery(tx, deliveryId, eventName))) {
      return { outcome: "duplicate", deliveryId, message: `delivery ${deliveryId} was already processed; ignoring the replay` };
    }
    if (event.kind === "ignored") {
      await finishDelivery(tx, deliveryId, `ignored: ${event.event} events are not used`);
      return { outcome: "ignored", deliveryId, message: `${event.event} events are not used` };
    }
    if (event.kind === "push") {
      await finishDelivery(tx, deliveryId, `invalidate ${event.branch ?? event.ref}`);
      return { outcome: "invalidate", deliveryId, branch: event.branch, changedPaths: event.changedPaths };
    }
    if (event.kind === "merge_gate") {
      const which = [
        ...(event.pullNumbers.length > 0 ? [{ prNumber: { in: event.pullNumbers } }] : []),
        ...(event.sha ? [{ headCommit: event.sha }] : []),
      ];
      const rows =
        (event.event === "check_suite" && event.action !== "completed") || which.length === 0
          ? []
          : await tx.promotion.findMany({
              where: { repository: event.repository, status: "OPEN", OR: which },
              select: { id: true },
              orderBy: { createdAt: "asc" },
            });
      if (rows.length === 0) {
        const message = `${event.event} ${event.action}: no open promotion for ${event.repository} ${event.pullNumbers.length > 0 ? `PR #${event.pullNumbers.join(", #")}` : (event.sha?.slice(0, 12) ?? "")}`;
        await finishDelivery(tx, deliveryId, `ignored: ${message}`);
        return { outcome: "ignored", deliveryId, message };
      }
      const promotionIds = rows.map((r) => r.id);
      await finishDelivery(tx, deliveryId, `refresh ${promotionIds.join(", ")}`);
      return { outcome: "refresh", deliveryId, promotionIds };
    }
    const candidates = await tx.promotion.findMany({
      where: {
        repository: event.repository,
        OR: [{ prNumber: event.number }, { branch: event.branch, status: "PENDING", prNumber: null }],
      },
    });
    // A PENDING row matched by branch only takes a PR no other attempt has recorded.
    const claimedElsewhere = await tx.promotion.findFirst({
      where: { repository: event.repository, prNumber: event.number },
      select: { id: true, bundleId: true },
    });
    // The candidates were read without a lock: a concurrent delivery for the same PR may have
    // recorded the number on this very row meanwhile, which is no claim "elsewhere".
    // A bundle's rows share one PR: a sibling that recorded it does not count as another attempt.
    const rows = candidates.filter(
      (r) =>
        r.prNumber === event.number ||
        !claimedElsewhere ||
        claimedElsewhere.id === r.id ||
        (r.bundleId !== null && claimedElsewhere.bundleId === r.bundleId),
    );
    if (rows.length === 0) {
      const message = `no promotion for ${event.repository} PR #${event.number}`;
      await finishDelivery(tx, deliveryId, `ignored: ${message}`);
      return { outcome: "ignored", deliveryId, message };
    }
    const transitions: Transition[] = [];
    for (const row of rows) {
      const t = await applyPullRequestState(
        tx,
        row.id,
        {
          number: event.number,
          url: event.url,
          branch: event.branch,
          headSha: event.headSha,
          state: event.state,
          mergeCommitSha: event.mergeCommitSha,
        },
        { source: "webhook", actor: "github", detail: { deliveryId, action: event.action } },
      );
      if (t) transitions.push(t);
    }
    if (transitions.length === 0) {
      const message = `PR #${event.number} ${event.action}: no change`;
      await finishDelivery(tx, deliveryId, `ignored: ${message}`);
      return { outcome: "ignored", deliveryId, message };
    }
    await finishDelivery(tx, deliveryId, transitions.map((t) => `${t.id} ${t.from}→${t.to}`).join(", "));
    return { outcome: "updated", deliveryId, transitions };
  });
}

/** Requests one status read costs: reviews, combined status, check runs (and the branch's protection once). */
const STATUS_READ_COST = 4;

export interface ReconcileOptions {
  /** GitHub requests this run may make (default 20). */
  budget?: number;
  /** A PENDING row with no PR this long after it was requested was interrupted: FAILED (default 2 min). */
  pendingGraceMs?: number;
}

export interface ReconcileResult {
  /** Rows examined. */
  checked: number;
  transitions: Transition[];
  /** GitHub requests made. */
  requests: number;
  /** PENDING/OPEN rows left for a later run (budget exhausted). */
  remaining: number;
  /** Superseded PRs closed. */
  closedSuperseded: string[];
  errors: { promotionId: string; message: string }[];
}

/**
 * Catches up PENDING and OPEN promotions with GitHub, oldest-checked first, within a request
 * budget; with what the budget leaves, the reviews and checks of pull requests still open, the
 * least recently read first (and auto-merges where ladder.yaml says so).
 */
export async function reconcile(ctx: PromotionContext, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const budget = options.budget ?? 20;
  const grace = options.pendingGraceMs ?? 120_000;
  const repo: RepoRef = { owner: ctx.repo.owner, repo: ctx.repo.name };
  const rows = await ctx.db.promotion.findMany({
    where: { repository: ctx.repo.repository, status: { in: ["PENDING", "OPEN"] } },
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
  });
  const result: ReconcileResult = { checked: 0, transitions: [], requests: 0, remaining: 0, closedSuperseded: [], errors: [] };
  const stillOpen: { row: (typeof rows)[number]; gate: Awaited<ReturnType<typeof getPullRequestGate>>["gate"] }[] = [];
  for (const [i, row] of rows.entries()) {
    if (result.requests >= budget) {
      result.remaining = rows.length - i;
      break;
    }
    result.checked++;
    try {
      if (row.status === "OPEN" && row.prNumber !== null) {
        result.requests++;
        const { summary: pr, gate } = await getPullRequestGate(ctx.github, repo, row.prNumber);
        if (pr.state !== "open") {
          const t = await applyPullRequestState(ctx.db, row.id, pr, { source: "reconcile", at: nowOf(ctx) });
          if (t) result.transitions.push(t);
        } else if (row.openSlot === null) {
          // Superseded, but closing its PR failed earlier: close it now, pointing at the newer promotion.
          const newer = await ctx.db.promotion.findFirst({
            where: { repository: row.repository, app: row.app, toEnv: row.toEnv, createdAt: { gt: row.createdAt } },
            orderBy: { createdAt: "desc" },
          });
          if (newer && newer.status !== "FAILED") {
            result.requests += 3;
            const outcome = await closeSuperseded(ctx, row, newer, "ladder");
            if (outcome.closed) {
              result.closedSuperseded.push(row.id);
              result.transitions.push({ id: row.id, from: "OPEN", to: "CLOSED" });
            } else result.errors.push({ promotionId: row.id, message: outcome.error ?? "could not close" });
          }
        } else {
          // Still open: move it to the back of the queue for the next run; its reviews and
          // checks are read below, with what the budget leaves.
          await ctx.db.promotion.update({ where: { id: row.id }, data: { updatedAt: nowOf(ctx) } });
          stillOpen.push({ row, gate });
        }
      } else if (row.status === "PENDING") {
        result.requests++;
        const pr = await findPullForRow(ctx, row);
        if (pr) {
          const t = await applyPullRequestState(ctx.db, row.id, pr, { source: "reconcile", at: nowOf(ctx) });
          if (t) result.transitions.push(t);
        } else if (nowOf(ctx).getTime() - row.createdAt.getTime() > grace) {
          const failed = await markFailed(ctx, row, undefined, {
            actor: "ladder",
            reason: "interrupted before its pull request was opened (no PR found for its branch)",
          });
          if (failed?.status === "FAILED") {
            result.transitions.push({ id: row.id, from: "PENDING", to: "FAILED" });
            if (row.branch) {
              result.requests++;
              await deleteBranch(ctx.github, repo, row.branch).catch((error: unknown) => {
                console.error(`[promotion] could not delete branch ${row.branch}`, error);
                return false;
              });
            }
          }
        }
      }
    } catch (error) {
      console.error(`[promotion] reconciling promotion ${row.id} failed`, error);
      result.errors.push({ promotionId: row.id, message: messageOf(error) });
    }
  }
  const lastRead = (row: (typeof rows)[number]) => Date.parse(parseReviewStatus(row.reviewStatus)?.checkedAt ?? "") || 0;
  stillOpen.sort((a, b) => lastRead(a.row) - lastRead(b.row));
  const run = newRefreshRun();
  for (const { row, gate } of stillOpen) {
    if (result.requests + STATUS_READ_COST > budget) break;
    try {
      const refreshed = await refreshReviewStatus(ctx, row, run, gate);
      result.requests += refreshed.requests;
      if (refreshed.autoMerge?.outcome === "merged") result.transitions.push({ id: row.id, from: "OPEN", to: "MERGED" });
    } catch (error) {
      console.error(`[promotion] reading the reviews and checks of promotion ${row.id} failed`, error);
      result.errors.push({ promotionId: row.id, message: messageOf(error) });
    }
  }
  return result;
}

const lastRun = new Map<string, number>();

/**
 * `reconcile` at most once per `minIntervalMs` per repository in this process: cheap enough to
 * call from every page view. Returns undefined when skipped.
 */
export async function reconcileIfDue(
  ctx: PromotionContext,
  options: ReconcileOptions & { minIntervalMs?: number } = {},
): Promise<ReconcileResult | undefined> {
  const key = `${ctx.github.baseUrl}|${ctx.repo.repository}`;
  const now = nowOf(ctx).getTime();
  if (now - (lastRun.get(key) ?? 0) < (options.minIntervalMs ?? 30_000)) return undefined;
  lastRun.set(key, now);
  return await reconcile(ctx, options);
}
