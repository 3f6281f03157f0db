"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActor } from "@/app/_auth/session";
import { authorize, isAuthError, limitPromotions } from "@/lib/auth";
import { submitBundle } from "@/lib/data/bundles";
import { lockEnv, unlock } from "@/lib/data/locks";
import { submitPromotion } from "@/lib/data/promotions";
import { publicMessage } from "@/lib/http/handler";
import type { RequestBundleResult } from "@/lib/promotion/bundle-request";
import { decodeBundleToken, MAX_BUNDLE_TOKEN_CHARS } from "@/lib/promotion/bundle-token";
import { LockError } from "@/lib/promotion/errors";
import { decodePromotionToken } from "@/lib/promotion/promotion-token";
import type { RequestPromotionResult } from "@/lib/promotion/request-promotion";
import { environmentName } from "@/lib/security/names";

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
    // A refusal by sign-in or permission names its rule; anything else is logged, not shown.
    return { ok: false, message: publicMessage(error, "The promotion"), ...(isAuthError(error) ? { reason: "forbidden" } : {}) };
  }
  revalidatePath("/", "layout");
  return summarise(result);
}

const bundleSchema = z.object({ token: z.string().min(16).max(MAX_BUNDLE_TOKEN_CHARS) });

export type PromoteBundleActionResult =
  | {
      ok: true;
      status: "opened" | "existing";
      prUrl: string | null;
      prNumber: number | null;
      bundleId: string;
      apps: string[];
      leftOut: { app: string; reasons: string[] }[];
    }
  | { ok: false; message: string; reason?: string; prUrl?: string | null; leftOut?: { app: string; reasons: string[] }[] };

function summariseBundle(result: RequestBundleResult): PromoteBundleActionResult {
  const leftOut = result.leftOut.map((l) => ({ app: l.app, reasons: l.reasons }));
  if (result.ok)
    return {
      ok: true,
      status: result.status,
      prUrl: result.prUrl,
      prNumber: result.prNumber,
      bundleId: result.bundleId,
      apps: result.promotions.map((p) => p.app),
      leftOut,
    };
  return { ok: false, message: result.message, reason: result.reason, prUrl: result.prUrl ?? null, leftOut };
}

/** Confirm in the bundle dialog: every member re-checked on the server, one PR for all of them. */
export async function promoteBundleAction(input: { token: string }): Promise<PromoteBundleActionResult> {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: "The bundle request is malformed; reopen the dialog." };
  const decoded = decodeBundleToken(parsed.data.token);
  if (!decoded.ok) return { ok: false, message: decoded.message, reason: "invalid" };
  let result: RequestBundleResult;
  try {
    const actor = await requireActor();
    await authorize(actor, "promote", { env: decoded.token.toEnv });
    await limitPromotions(actor);
    result = await submitBundle(parsed.data.token, { login: actor.login });
  } catch (error) {
    return { ok: false, message: publicMessage(error, "The bundle"), ...(isAuthError(error) ? { reason: "forbidden" } : {}) };
  }
  revalidatePath("/", "layout");
  return summariseBundle(result);
}

/**
 * C0/C1 controls but tab and newline, and bidirectional overrides: they would corrupt logs and
 * the database (NUL) or make the audit trail read differently from what it stores.
 */
function isHiddenCharacter(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  if (c === "\t" || c === "\n") return false;
  return (
    code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)
  );
}

/** A person's words for the audit trail: printable text, nothing that hides. */
const reasonSchema = z
  .string()
  .trim()
  .min(3, "Say why (at least 3 characters)")
  .max(500, "Keep the reason under 500 characters")
  .refine((text) => ![...text].some(isHiddenCharacter), { message: "Use plain text: no control characters" });

const lockSchema = z.object({
  env: environmentName,
  reason: reasonSchema,
  hours: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(0),
});

export type LockActionResult =
  | { ok: true }
  | { ok: false; message: string; reason?: "forbidden"; fieldErrors?: Record<string, string[] | undefined> };

function lockFailure(error: unknown, what: string): LockActionResult {
  const forbidden = isAuthError(error) || (error instanceof LockError && error.status === 403);
  return { ok: false, message: publicMessage(error, what), ...(forbidden ? { reason: "forbidden" as const } : {}) };
}

/** Freeze an environment from the UI: a reason, an optional expiry, an audit event. */
export async function lockAction(_previous: LockActionResult | null, form: FormData): Promise<LockActionResult> {
  const parsed = lockSchema.safeParse({ env: form.get("env"), reason: form.get("reason"), hours: form.get("hours") || 0 });
  if (!parsed.success) return { ok: false, message: "Check the form.", fieldErrors: z.flattenError(parsed.error).fieldErrors };
  try {
    const actor = await requireActor();
    const expiresAt = parsed.data.hours > 0 ? new Date(Date.now() + parsed.data.hours * 3_600_000) : null;
    // lockEnv authorizes against ladder.yaml's lockers (and viewers) itself.
    await lockEnv({ env: parsed.data.env, reason: parsed.data.reason, expiresAt }, actor);
  } catch (error) {
    return lockFailure(error, "Locking");
  }
  revalidatePath("/", "layout");
  return { ok: true };
}

const unlockSchema = z.object({ id: z.uuid("not a lock id") });

/** Release a lock. Only its id is taken from the form: permission follows the lock's own environment. */
export async function unlockAction(_previous: LockActionResult | null, form: FormData): Promise<LockActionResult> {
  const parsed = unlockSchema.safeParse({ id: form.get("id") });
  if (!parsed.success) return { ok: false, message: "Check the form.", fieldErrors: z.flattenError(parsed.error).fieldErrors };
  try {
    const actor = await requireActor();
    await unlock(parsed.data.id, actor);
  } catch (error) {
    return lockFailure(error, "Unlocking");
  }
  revalidatePath("/", "layout");
  return { ok: true };
}
