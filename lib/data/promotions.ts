import "server-only";
import { teamMembership } from "../auth";
import { serverEnv } from "../env";
import type { Actor } from "../promotion/context";
import { type PromotionContext, promotionContextFromEnv } from "../promotion/context";
import { type PromotionPreview, type PromotionRequest, previewPromotion } from "../promotion/preview-promotion";
import { refreshPromotions } from "../promotion/refresh-review-status";
import { type RequestPromotionResult, requestPromotion } from "../promotion/request-promotion";
import { reconcileIfDue } from "../promotion/track-pull-requests";

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
