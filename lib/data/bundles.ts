import "server-only";
import type { BundlePreview, BundleRequest } from "../promotion/bundle";
import { bundleRollbackRequest, previewBundle } from "../promotion/bundle";
import { type RequestBundleResult, requestBundle } from "../promotion/bundle-request";
import type { Actor } from "../promotion/context";
import { promotionContext } from "./promotions";

export function getBundlePreview(request: BundleRequest, actor: Actor): Promise<BundlePreview> {
  return previewBundle(promotionContext(), request, actor);
}

/** The preview of rolling back every app a bundle merged, in one pull request. */
export async function getBundleRollbackPreview(bundleId: string, actor: Actor): Promise<BundlePreview> {
  const ctx = promotionContext();
  return previewBundle(ctx, await bundleRollbackRequest(ctx, bundleId), actor);
}

export function submitBundle(token: string, actor: Actor): Promise<RequestBundleResult> {
  return requestBundle(promotionContext(), { token, actor });
}
