"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorize, isAuthError, limitPromotions, requireActor } from "@/lib/auth";
import { lockEnv, unlock } from "@/lib/data/locks";
import { submitPromotion } from "@/lib/data/promotions";
import { decodePromotionToken } from "@/lib/promotion/promotion-token";
import type { RequestPromotionResult } from "@/lib/promotion/request-promotion";

const schema = z.object({ token: z.string().min(16).max(8000) });

export type PromoteActionResult =
  | {
      ok: true;
      status: "opened" | "existing";
      prUrl: string | null;
      prNumber: number | null;
      promotionId: string;
      superseded?: number | null;
    }
  | { ok: false; message: string; fieldErrors?: Record<string, string[]>; reason?: string; prUrl?: string | null };

function summarise(result: RequestPromotionResult): PromoteActionResult {
  if (result.ok) {
    return {
      ok: true,
      status: result.status,
      prUrl: result.promotion.prUrl,
      prNumber: result.promotion.prNumber,
      promotionId: result.promotion.id,
      superseded: result.superseded?.prNumber ?? null,
    };
  }
  return { ok: false, message: result.message, reason: result.reason, prUrl: result.prUrl ?? null };
}

/** Confirm in the Promote dialog: re-checked on the server, written ahead, then the PR. */
export async function promoteAction(input: { token: string }): Promise<PromoteActionResult> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      message: "The promotion request is malformed; reopen the dialog.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  }
  const decoded = decodePromotionToken(parsed.data.token);
  if (!decoded.ok) return { ok: false, message: decoded.message, reason: "invalid" };
  let result: RequestPromotionResult;
  try {
    const actor = await requireActor();
    // Who may promote where is checked again here, on the server, whatever the UI showed.
    await authorize(actor, "promote", { env: decoded.token.toEnv });
    await limitPromotions(actor);
    result = await submitPromotion(parsed.data.token, { login: actor.login });
  } catch (error) {
    // A refusal by sign-in or permission names its rule; anything else is logged.
    if (isAuthError(error)) return { ok: false, message: error.message, reason: "forbidden" };
    console.error("promotion failed", error);
    return {
      ok: false,
      message: error instanceof Error ? error.message : "The promotion failed; the server log has the details.",
    };
  }
  revalidatePath("/", "layout");
  return summarise(result);
}

const lockSchema = z.object({
  env: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be an environment name"),
  reason: z.string().trim().min(3, "Say why (at least 3 characters)").max(500),
  hours: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(0),
});

export type LockActionResult = { ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string[] | undefined> };

/** Freeze an environment from the UI: a reason, an optional expiry, an audit event. */
export async function lockAction(_previous: LockActionResult | null, form: FormData): Promise<LockActionResult> {
  const parsed = lockSchema.safeParse({ env: form.get("env"), reason: form.get("reason"), hours: form.get("hours") || 0 });
  if (!parsed.success) return { ok: false, message: "Check the form.", fieldErrors: z.flattenError(parsed.error).fieldErrors };
  try {
    const actor = await requireActor();
    await authorize(actor, "lock", { env: parsed.data.env });
    const expiresAt = parsed.data.hours > 0 ? new Date(Date.now() + parsed.data.hours * 3_600_000) : null;
    await lockEnv({ env: parsed.data.env, reason: parsed.data.reason, expiresAt }, { login: actor.login });
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  revalidatePath("/", "layout");
  return { ok: true };
}

export async function unlockAction(form: FormData): Promise<void> {
  const id = z.uuid().parse(form.get("id"));
  const env = z.string().min(1).max(100).parse(form.get("env"));
  const actor = await requireActor();
  await authorize(actor, "lock", { env });
  await unlock(id, { login: actor.login });
  revalidatePath("/", "layout");
}
