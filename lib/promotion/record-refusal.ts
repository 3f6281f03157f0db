/**
 * A promotion request refused by policy when it was executed (a freeze or lock placed, a
 * permission or soak rule changed since the preview) leaves no promotion row, but it is part of
 * the trail — who tried to promote what where, and why not — and it is a notification event.
 * Recording it never changes the answer: a database failure here is logged and the refusal
 * still returned.
 */
import { appendEvent } from "./audit-chain";
import { type Actor, nowOf, type PromotionContext } from "./context";
import type { PolicyCheck } from "./policy";
import type { PromotionPreview } from "./preview-promotion";

export async function recordRefusal(ctx: PromotionContext, preview: PromotionPreview, actor: Actor): Promise<void> {
  const { request } = preview;
  const failed = preview.checks.filter((c: PolicyCheck) => c.status === "fail");
  try {
    await ctx.db.$transaction((tx) =>
      appendEvent(tx, {
        promotionId: null,
        repository: ctx.repo.repository,
        type: "promotion.refused",
        actor: actor.login,
        at: nowOf(ctx),
        detail: {
          app: request.app,
          fromEnv: request.fromEnv,
          toEnv: request.toEnv,
          image: request.image,
          digest: request.digest,
          previousDigest: preview.target.image?.digest ?? null,
          rollback: request.rollback,
          baseCommit: preview.view.commit,
          reasons: failed.map((c) => ({ check: c.id, reason: c.reason })),
        },
      }),
    );
  } catch (error) {
    console.error(`[promotion] recording the refused promotion of ${request.app} to ${request.toEnv} failed`, error);
  }
}
