/**
 * `ladder promote --to E --app A` for real: the server's path through lib/promotion — the
 * preview with every policy check, then the write-ahead row and the pull request — against the
 * configured repository (LADDER_REPOSITORY over GITHUB_API_URL with GITHUB_TOKEN or the GitHub
 * App), recorded in DATABASE_URL. Only the command line differs from the Promote dialog.
 *
 * Exit codes: 0 the pull request was opened, or was already open; 2 refused by policy (the
 * failed checks' reasons on stderr and in --json); 1 anything else — configuration, GitHub,
 * the database, a stale view, a promotion of the same slot being opened right now.
 */
import { createTeamMembership } from "../../lib/auth/team-membership";
import { GITHUB_LOGIN, type ServerEnv } from "../../lib/env";
import { shortDigest } from "../../lib/gitops/image-ref";
import type { ImageReference } from "../../lib/gitops/types";
import { type Actor, type PromotionContext, promotionContextFromEnv } from "../../lib/promotion/context";
import { messageOf } from "../../lib/promotion/errors";
import type { PolicyCheck } from "../../lib/promotion/policy";
import { type PromotionPreview, type PromotionRequest, previewPromotion } from "../../lib/promotion/preview-promotion";
import { type RequestPromotionResult, requestPromotion } from "../../lib/promotion/request-promotion";
import { type CliIo, UsageError } from "./command";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_REFUSED = 2;

/** What `--json` prints: the promotion core's result, or an error that kept it from answering. */
export type PromoteOutcome = RequestPromotionResult | { ok: false; reason: "error"; message: string };

export function exitCodeOf(outcome: { ok: true } | { ok: false; reason: string }): number {
  if (outcome.ok) return EXIT_OK;
  return outcome.reason === "refused" ? EXIT_REFUSED : EXIT_ERROR;
}

/** The CLI user: --actor, else LADDER_ACTOR. */
export function actorOf(flagValue: string | undefined, env: ServerEnv): Actor {
  const login = flagValue ?? env.LADDER_ACTOR;
  if (!login)
    throw new UsageError("who is promoting? pass --actor LOGIN or set LADDER_ACTOR (checked against ladder.yaml's promoters)");
  if (!GITHUB_LOGIN.test(login)) throw new UsageError(`--actor ${JSON.stringify(login)} is not a GitHub login`);
  return { login };
}

/**
 * The PromotionContext the server builds, from the same variables (lib/env.ts), with team
 * membership read with the same credentials. The caller disconnects `ctx.db`.
 */
export function cliPromotionContext(env: ServerEnv): PromotionContext {
  if (!env.DATABASE_URL)
    throw new Error(
      "DATABASE_URL is not set: a promotion is written to Ladder's database before GitHub is touched; point it at the server's database (or pass <dir> --dry-run to plan a local checkout)",
    );
  const ctx = promotionContextFromEnv(env.LADDER_PUBLIC_URL ? { publicUrl: env.LADDER_PUBLIC_URL } : {});
  ctx.isTeamMember = createTeamMembership({
    client: () => ctx.github,
    credentials: env.githubAuth.kind === "app" ? "app" : "token",
  });
  return ctx;
}

function failedReasons(checks: readonly PolicyCheck[]): string[] {
  return checks.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.reason}`);
}

function imageText(i: ImageReference | null): string {
  if (!i) return "(nothing)";
  return `${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${shortDigest(i.digest)}` : ""}`;
}

/** The preview without its token (only `requestPromotion` wants it). */
export function previewForOutput(preview: PromotionPreview): Omit<PromotionPreview, "token"> {
  const { token: _token, ...rest } = preview;
  return rest;
}

/** A preview as text: the diff, then every check. */
export function formatPreview(preview: PromotionPreview): string {
  const { request, change } = preview;
  const lines = [
    `# ${request.app} ${request.fromEnv ?? "?"} → ${request.toEnv}: ${imageText(preview.target.image)} → ${imageText(preview.source.image)}`,
  ];
  if (change) lines.push(`# ${change.description}`, change.unifiedDiff.trimEnd());
  else lines.push("# no edit planned");
  for (const c of preview.checks) lines.push(`# ${c.status.padEnd(4)} ${c.id}: ${c.reason}`);
  return lines.join("\n");
}

export interface PromoteOneResult {
  /** Absent only for an allowed dry run: the preview is the answer. */
  outcome?: PromoteOutcome;
  preview?: PromotionPreview;
}

/** Previews and, unless `dryRun`, requests one promotion. Never throws: an error is an outcome. */
export async function promoteOne(
  ctx: PromotionContext,
  request: PromotionRequest,
  actor: Actor,
  options: { dryRun: boolean },
): Promise<PromoteOneResult> {
  let preview: PromotionPreview;
  try {
    preview = await previewPromotion(ctx, request, actor);
  } catch (error) {
    return { outcome: { ok: false, reason: "error", message: messageOf(error) } };
  }
  if (!preview.allowed)
    return {
      outcome: { ok: false, reason: "refused", message: failedReasons(preview.checks).join("; "), checks: preview.checks },
      preview,
    };
  if (!preview.token)
    return { outcome: { ok: false, reason: "error", message: "nothing to promote: no edit could be planned" }, preview };
  if (options.dryRun) return { preview };
  try {
    return { outcome: await requestPromotion(ctx, { token: preview.token, actor }), preview };
  } catch (error) {
    return { outcome: { ok: false, reason: "error", message: messageOf(error) }, preview };
  }
}

/** The outcome for people: the pull request on stdout; a refusal or an error on stderr. */
export function reportOutcome(io: CliIo, outcome: PromoteOutcome, what: string): void {
  if (outcome.ok) {
    const p = outcome.promotion;
    const pr = p.prUrl ? `PR #${p.prNumber} ${p.prUrl}` : `promotion ${p.id} (${p.status})`;
    io.out(
      `${outcome.status === "opened" ? "opened" : "already open"}: ${pr} — ${p.app} ${p.fromEnv} → ${p.toEnv}${p.digest ? ` ${shortDigest(p.digest)}` : ""} (promotion ${p.id})`,
    );
    if (outcome.superseded) io.out(`superseded: ${JSON.stringify(outcome.superseded)}`);
    return;
  }
  if (outcome.reason === "refused") {
    io.err(`promote: ${what} refused by policy:`);
    for (const c of outcome.checks?.filter((c) => c.status === "fail") ?? []) io.err(`  ${c.id}: ${c.reason}`);
    return;
  }
  io.err(`promote: ${what} ${outcome.reason === "error" ? "failed" : `failed (${outcome.reason})`}: ${outcome.message}`);
  if ("prUrl" in outcome && outcome.prUrl) io.err(`  pull request: ${outcome.prUrl}`);
}
