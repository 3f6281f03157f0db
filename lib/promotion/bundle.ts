/**
 * Bundles: several apps promoted to one environment in one pull request (a release train).
 *
 * The preview assesses each app exactly as a promotion of its own (assessPromotion: the same
 * policy, evidence and planned edit); refused apps are listed with their reasons and left out.
 * Execution (bundle-request.ts) re-assesses every member against the branch head, leaves out a
 * member whose file changed since the preview (stale for that app only, decided before anything
 * is written), writes one PENDING row per member in one transaction sharing a bundle id, and opens
 * one PR whose one commit touches each member's own file. A merge or close of that PR moves every
 * row, through the same webhook and reconciler paths as a single promotion.
 */
import pLimit from "p-limit";
import { encodeBundleToken, MAX_BUNDLE_APPS } from "./bundle-token";
import type { Actor, PromotionContext } from "./context";
import { messageOf, PromotionInputError } from "./errors";
import { policyFor } from "./policy";
import { type Assessment, assessPromotion, type PromotionPreview } from "./preview-promotion";
import { promotedReference } from "./promotion-record";

export interface BundleRequest {
  toEnv: string;
  /** Apps to promote; with `waiting`, added to every app waiting for `toEnv`. */
  apps: readonly string[];
  /** Every app whose feeding environment runs a different pinned digest than `toEnv` ("promote everything waiting"). */
  waiting?: boolean;
  fromEnv?: string;
  /** A bundle rollback: each app back to the digest given (from `toEnv`'s own history). */
  rollback?: Readonly<Record<string, string>>;
}

export interface BundleLeftOut {
  app: string;
  reasons: string[];
  preview: PromotionPreview | null;
}

export interface BundlePreview {
  toEnv: string;
  fromEnv: string | null;
  rollback: boolean;
  /** Apps that move, in the order asked (waiting apps in matrix order), each with its diff and checks. */
  included: PromotionPreview[];
  /** Apps left out: refused by a check, or not promotable at all, with the reasons. */
  leftOut: BundleLeftOut[];
  commit: string;
  /** Post this back to `requestBundle`; null when nothing can move. */
  token: string | null;
}

/** Apps whose feeding environment runs a pinned digest `toEnv` does not: what "promote everything waiting" moves. */
export function waitingApps(scan: Assessment["head"]["scan"], toEnv: string): string[] {
  const out: string[] = [];
  for (const app of scan.apps) {
    const { expectedFrom } = policyFor(scan, app.name, toEnv);
    const source = expectedFrom ? app.environments[expectedFrom] : undefined;
    const target = app.environments[toEnv];
    if (!source || !target) continue;
    const moved = source.images.some((s) => {
      if (!s.digest) return false;
      const t = target.images.find((i) => i.repositoryNormalised === s.repositoryNormalised);
      return t !== undefined && t.digest !== s.digest;
    });
    if (moved) out.push(app.name);
  }
  return out;
}

const failedReasons = (p: PromotionPreview) => p.checks.filter((c) => c.status === "fail").map((c) => `${c.label}: ${c.reason}`);

/** Assesses each member as a promotion of its own; returns the assessments and who is left out. */
export async function assessBundle(
  ctx: PromotionContext,
  request: BundleRequest,
  actor: Actor,
  options: { planAt?: string } = {},
): Promise<{ assessments: Assessment[]; leftOut: BundleLeftOut[]; apps: string[]; head: Assessment["head"] }> {
  const head = await ctx.repo.current();
  if (!head.scan.environments.includes(request.toEnv)) throw new PromotionInputError(`Unknown environment ${request.toEnv}.`);
  const rollback = request.rollback;
  const asked = rollback ? Object.keys(rollback) : [...request.apps];
  const apps = [...new Set([...asked, ...(request.waiting && !rollback ? waitingApps(head.scan, request.toEnv) : [])])];
  if (apps.length === 0) throw new PromotionInputError(`Nothing is waiting for ${request.toEnv}.`);
  if (apps.length > MAX_BUNDLE_APPS)
    throw new PromotionInputError(`A bundle holds at most ${MAX_BUNDLE_APPS} apps (${apps.length} asked): split it.`);
  // Each assessment reads git history for its evidence: a few at a time, not all at once.
  const limit = pLimit(4);
  const results = await Promise.all(
    apps.map((app) =>
      limit(async () => {
        try {
          const digest = rollback?.[app];
          const a = await assessPromotion(
            ctx,
            {
              app,
              toEnv: request.toEnv,
              ...(request.fromEnv ? { fromEnv: request.fromEnv } : {}),
              ...(digest ? { digest, rollback: true } : {}),
            },
            actor,
            options,
          );
          return { app, a } as const;
        } catch (error) {
          if (error instanceof PromotionInputError) return { app, error: messageOf(error) } as const;
          throw error;
        }
      }),
    ),
  );
  const assessments: Assessment[] = [];
  const leftOut: BundleLeftOut[] = [];
  const byPath = new Map<string, string>();
  for (const r of results) {
    if ("error" in r) {
      leftOut.push({ app: r.app, reasons: [r.error ?? "cannot be promoted"], preview: null });
      continue;
    }
    const p = r.a.preview;
    if (!p.allowed || !p.change) {
      leftOut.push({ app: r.app, reasons: failedReasons(p).length ? failedReasons(p) : ["nothing to change"], preview: p });
      continue;
    }
    // Already open on its own (same digest and tag): that pull request is the promotion; a bundle
    // would be a second row and a second branch for the same change.
    const open = p.openPromotion;
    if (open && !open.bundleId && open.digest === p.request.digest && open.tag === p.request.tag) {
      leftOut.push({
        app: r.app,
        reasons: [`already open on its own as ${open.prNumber ? `PR #${open.prNumber}` : "a pull request being opened"}`],
        preview: p,
      });
      continue;
    }
    // One commit holds one version of each file: two apps planned into the same file go separately.
    const other = byPath.get(p.change.path);
    if (other) {
      leftOut.push({
        app: r.app,
        reasons: [`edits ${p.change.path}, which ${other} edits too: promote it on its own`],
        preview: p,
      });
      continue;
    }
    byPath.set(p.change.path, r.app);
    assessments.push(r.a);
  }
  return { assessments, leftOut, apps, head };
}

/** The bundle dialog's content: each app's diff and checks, the refused ones with their reasons. */
export async function previewBundle(ctx: PromotionContext, request: BundleRequest, actor: Actor): Promise<BundlePreview> {
  const { assessments, leftOut, head } = await assessBundle(ctx, request, actor);
  const included = assessments.map((a) => a.preview);
  const first = included[0];
  const commit = first?.view.commit ?? head.snapshot.commit;
  const rollback = request.rollback !== undefined;
  return {
    toEnv: request.toEnv,
    fromEnv: first?.request.fromEnv ?? request.fromEnv ?? null,
    rollback,
    included,
    leftOut,
    commit,
    token:
      included.length === 0
        ? null
        : encodeBundleToken({
            v: 1,
            kind: "bundle",
            toEnv: request.toEnv,
            fromEnv: first?.request.fromEnv ?? null,
            rollback,
            commit,
            members: included.map((p) => ({
              app: p.request.app,
              image: p.request.image ?? "",
              digest: p.request.digest,
              tag: p.request.tag,
              path: p.view.path ?? "",
              blobSha: p.view.blobSha ?? "",
            })),
          }),
  };
}

/**
 * A bundle's rollback: every app the bundle merged, back to the digest it replaced. Apps the
 * bundle did not merge (closed, failed) have nothing to roll back; an app that had no digest
 * before cannot go back to one.
 */
export async function bundleRollbackRequest(ctx: PromotionContext, bundleId: string): Promise<BundleRequest> {
  const rows = await ctx.db.promotion.findMany({
    where: { repository: ctx.repo.repository, bundleId, status: "MERGED" },
    orderBy: { app: "asc" },
  });
  const first = rows[0];
  if (!first) throw new PromotionInputError(`Bundle ${bundleId} merged nothing to roll back.`);
  const back = rows.filter((r) => r.previousDigest);
  if (back.length === 0) throw new PromotionInputError(`No app of bundle ${bundleId} ran a digest before it.`);
  return { toEnv: first.toEnv, apps: [], rollback: Object.fromEntries(back.map((r) => [r.app, r.previousDigest ?? ""])) };
}

/** `app=reference` of every member, sorted: what makes two requests the same bundle. */
export function bundleKey(members: readonly { app: string; digest: string | null; tag: string | null }[]): string {
  return members
    .map((m) => `${m.app}=${promotedReference(m)}`)
    .sort()
    .join("\n");
}
