/**
 * Rollback: promote a digest the environment ran before back into it. The same preview and
 * execution path as a promotion, with the evidence taken from the target environment's own
 * path history ("it ran here from … until …") instead of the feeding environment's; the row
 * and its events carry `rollback: true`.
 */
import type { Actor, PromotionContext } from "./context";
import { environmentTimeline, type Timeline } from "./evidence";
import { type PromotionPreview, previewPromotion } from "./preview-promotion";
import { type RequestPromotionResult, requestPromotion } from "./request-promotion";

export interface RollbackRequest {
  app: string;
  env: string;
  digest: string;
  image?: string;
}

export function previewRollback(ctx: PromotionContext, request: RollbackRequest, actor: Actor): Promise<PromotionPreview> {
  return previewPromotion(
    ctx,
    {
      app: request.app,
      toEnv: request.env,
      digest: request.digest,
      rollback: true,
      ...(request.image ? { image: request.image } : {}),
    },
    actor,
  );
}

/** Executes a rollback preview's token (the same as `requestPromotion`; named for call sites). */
export function requestRollback(ctx: PromotionContext, input: { token: string; actor: Actor }): Promise<RequestPromotionResult> {
  return requestPromotion(ctx, input);
}

/** Digests an environment ran before (newest first), not counting the one it runs now: rollback candidates. */
export async function rollbackCandidates(
  ctx: PromotionContext,
  request: { app: string; env: string; image?: string },
): Promise<{
  timeline: Timeline;
  candidates: { digest: string; tag: string | null; from: string; to: string; commit: string }[];
}> {
  const timeline = await environmentTimeline(ctx.repo, { ...request, limit: ctx.evidenceCommits });
  const current = timeline.segments[0]?.to === null ? timeline.segments[0]?.digest : undefined;
  const seen = new Set<string>();
  const candidates: { digest: string; tag: string | null; from: string; to: string; commit: string }[] = [];
  for (const s of timeline.segments) {
    if (!s.digest || s.to === null || s.digest === current || seen.has(s.digest)) continue;
    seen.add(s.digest);
    candidates.push({ digest: s.digest, tag: s.tag, from: s.from, to: s.to, commit: s.commit });
  }
  return { timeline, candidates };
}
