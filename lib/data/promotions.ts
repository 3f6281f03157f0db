import "server-only";
import { teamMembership } from "../auth";
import { db } from "../db/client";
import { serverEnv } from "../env";
import type { PullRequestStatus } from "../github/pull-request-status";
import { environmentPolicies } from "../gitops/ladder-config";
import { policyConfig } from "../gitops/ladder-yaml-status";
import type { Actor } from "../promotion/context";
import { type PromotionContext, promotionContextFromEnv } from "../promotion/context";
import { type PromotionPreview, type PromotionRequest, previewPromotion } from "../promotion/preview-promotion";
import { toPromotionRecord } from "../promotion/promotion-record";
import { refreshPromotions } from "../promotion/refresh-review-status";
import { type RequestPromotionResult, requestPromotion } from "../promotion/request-promotion";
import { describePromotionStatus } from "../promotion/review-status";
import { reconcileIfDue } from "../promotion/track-pull-requests";
import { getRepository } from "./repository-view";

let context: PromotionContext | undefined;

/** The process's promotion context (database, repository, GitHub client). */
export function promotionContext(): PromotionContext {
  context ??= promotionContextFromEnv({ publicUrl: serverEnv().LADDER_PUBLIC_URL, isTeamMember: teamMembership });
  return context;
}

export function getPromotionPreview(request: PromotionRequest, actor: Actor): Promise<PromotionPreview> {
  return previewPromotion(promotionContext(), request, actor);
}

export function submitPromotion(token: string, actor: Actor): Promise<RequestPromotionResult> {
  return requestPromotion(promotionContext(), { token, actor });
}

/**
 * Catches up on pull requests whose webhooks were missed, at most every 30 s
 * and within a small request budget, so a page view never waits long for it.
 */
export async function reconcileOnView(): Promise<void> {
  try {
    await reconcileIfDue(promotionContext(), { budget: 10 });
  } catch (error) {
    console.error("reconciling open promotions failed", error);
  }
}

/**
 * After a review, check suite or status webhook: re-reads those promotions' review and check
 * status (auto-merging where ladder.yaml says so). The delivery is already recorded; a failure
 * here is logged and the reconciler catches up.
 */
export async function refreshAfterWebhook(ids: readonly string[]): Promise<void> {
  try {
    await refreshPromotions(promotionContext(), ids);
  } catch (error) {
    console.error("refreshing promotions after a webhook failed", error);
  }
}

/** An open promotion as a matrix cell shows it. */
export interface OpenPromotionView {
  id: string;
  status: "PENDING" | "OPEN";
  prNumber: number | null;
  prUrl: string | null;
  /** "OPEN · 1 of 2 approvals · checks pending" */
  summary: string;
  reviewStatus: PullRequestStatus | null;
  /** The target environment merges it by itself (ladder.yaml autoMerge). */
  autoMerge: boolean;
}

/**
 * The repository's PENDING and OPEN promotions by `${app}|${toEnv}`, for the matrix. Read from the
 * database only (webhooks and the reconciler keep it current), so the page never waits on GitHub.
 */
export async function getOpenPromotions(): Promise<Record<string, OpenPromotionView>> {
  const repository = getRepository();
  const [rows, view] = await Promise.all([
    db().promotion.findMany({
      where: { repository: repository.repository, status: { in: ["PENDING", "OPEN"] } },
      orderBy: { createdAt: "asc" },
    }),
    repository.current(),
  ]);
  const config = policyConfig(view.scan);
  const autoMerge = new Set(
    config
      ? environmentPolicies(config)
          .filter((p) => p.autoMerge)
          .map((p) => p.name)
      : [],
  );
  const out: Record<string, OpenPromotionView> = {};
  for (const row of rows) {
    const p = toPromotionRecord(row);
    if (p.status !== "PENDING" && p.status !== "OPEN") continue;
    out[`${p.app}|${p.toEnv}`] = {
      id: p.id,
      status: p.status,
      prNumber: p.prNumber,
      prUrl: p.prUrl,
      summary: describePromotionStatus(p.status, p.reviewStatus),
      reviewStatus: p.reviewStatus,
      autoMerge: autoMerge.has(p.toEnv),
    };
  }
  return out;
}
