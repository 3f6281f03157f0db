/**
 * `ladder promote --to E --app A --app B …`: several apps into one environment in one pull
 * request, through lib/promotion's bundles (previewBundle, then requestBundle) as the web app's
 * bundle dialog does.
 *
 * All or nothing at the preview: where the dialog lets a person go on without the apps a check
 * refused, a pipeline that named its apps gets no pull request and exit 2 (the reasons on
 * stderr and in --json) when any of them cannot go in. An app left out at execution (its file
 * changed, a freeze since the preview) is reported; the pull request the others went into stands.
 */
import { shortDigest } from "../../lib/gitops/image-ref";
import { type BundleLeftOut, type BundlePreview, type BundleRequest, previewBundle } from "../../lib/promotion/bundle";
import { type RequestBundleResult, requestBundle } from "../../lib/promotion/bundle-request";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { messageOf } from "../../lib/promotion/errors";
import type { PolicyCheck } from "../../lib/promotion/policy";
import type { CliIo } from "./command";
import { formatPreview, previewForOutput } from "./remote-promote";

/** An app left out, as printed: why, and its failed checks (no preview, no token). */
export interface LeftOut {
  app: string;
  reasons: string[];
  checks?: PolicyCheck[];
}

export type BundleOutcome =
  | (Omit<Extract<RequestBundleResult, { ok: true }>, "leftOut"> & { leftOut: LeftOut[] })
  | (Omit<Extract<RequestBundleResult, { ok: false }>, "leftOut"> & { leftOut: LeftOut[] })
  | { ok: false; reason: "error"; message: string; leftOut: LeftOut[] };

function leftOutOf(l: BundleLeftOut): LeftOut {
  const failed = l.preview?.checks.filter((c) => c.status === "fail");
  return { app: l.app, reasons: l.reasons, ...(failed?.length ? { checks: failed } : {}) };
}

function withLeftOut(result: RequestBundleResult): BundleOutcome {
  return { ...result, leftOut: result.leftOut.map(leftOutOf) };
}

export interface PromoteBundleResult {
  /** Absent only for an allowed dry run: the preview is the answer. */
  outcome?: BundleOutcome;
  preview?: BundlePreview;
}

/** Previews the bundle and, unless `dryRun` or an app cannot go in, opens its pull request. Never throws. */
export async function promoteBundle(
  ctx: PromotionContext,
  request: BundleRequest,
  actor: Actor,
  options: { dryRun: boolean },
): Promise<PromoteBundleResult> {
  let preview: BundlePreview;
  try {
    preview = await previewBundle(ctx, request, actor);
  } catch (error) {
    return { outcome: { ok: false, reason: "error", message: messageOf(error), leftOut: [] } };
  }
  if (preview.leftOut.length > 0 || !preview.token) {
    const leftOut = preview.leftOut.map(leftOutOf);
    const message = leftOut.map((l) => `${l.app}: ${l.reasons.join("; ")}`).join(" · ") || "nothing to promote";
    // No preview at all is an input error (an unknown app), not a policy's answer.
    const unknown = preview.leftOut.some((l) => l.preview === null);
    return {
      outcome: unknown ? { ok: false, reason: "error", message, leftOut } : { ok: false, reason: "refused", message, leftOut },
      preview,
    };
  }
  if (options.dryRun) return { preview };
  try {
    return { outcome: withLeftOut(await requestBundle(ctx, { token: preview.token, actor })), preview };
  } catch (error) {
    return { outcome: { ok: false, reason: "error", message: messageOf(error), leftOut: [] }, preview };
  }
}

/** Each member's diff and checks, then the apps left out. */
export function formatBundlePreview(preview: BundlePreview): string {
  const parts = preview.included.map(formatPreview);
  for (const l of preview.leftOut) parts.push(`# left out ${l.app}: ${l.reasons.join("; ")}`);
  return parts.join("\n");
}

export function bundlePreviewForOutput(preview: BundlePreview) {
  const { token: _token, included, leftOut, ...rest } = preview;
  return { ...rest, included: included.map(previewForOutput), leftOut: leftOut.map(leftOutOf) };
}

/** The pull request on stdout; what was left out, refused or failed on stderr. */
export function reportBundleOutcome(io: CliIo, outcome: BundleOutcome, what: string): void {
  if (outcome.ok) {
    const apps = outcome.promotions.map((p) => `${p.app}${p.digest ? ` ${shortDigest(p.digest)}` : p.tag ? ` ${p.tag}` : ""}`);
    io.out(
      `${outcome.status === "opened" ? "opened" : "already open"}: PR #${outcome.prNumber} ${outcome.prUrl ?? ""} — ${what}: ${apps.join(", ")} (bundle ${outcome.bundleId})`,
    );
  } else if (outcome.reason === "refused") io.err(`promote: ${what} refused by policy, nothing opened:`);
  else io.err(`promote: ${what} ${outcome.reason === "error" ? "failed" : `failed (${outcome.reason})`}: ${outcome.message}`);
  for (const l of outcome.leftOut) {
    io.err(`  ${outcome.ok ? "left out " : ""}${l.app}: ${l.reasons.join("; ")}`);
  }
}
