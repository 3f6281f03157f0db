/**
 * Step 2 of a request, the write-ahead record: one transaction inserts the PENDING row (its
 * idempotency key and the one open slot per repository, app and environment) with its
 * `promotion.requested` event, taking the slot from an older OPEN row it supersedes — or finds
 * the attempt already in flight, or the slot held by another PENDING one.
 */
import { randomUUID } from "node:crypto";
import type { Promotion } from "../generated/prisma/client";
import { type AuditAnchor, branchReference, promotionBranchName } from "../github/promotion-pr-text";
import { appendEvent } from "./audit-chain";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { isUniqueViolation, PromotionInputError } from "./errors";
import type { Assessment } from "./preview-promotion";
import { addressOf, attemptOf, idempotencyKey, openSlot, promotedReference } from "./promotion-record";
import { transition } from "./promotion-state";

export type Claim =
  | { kind: "existing"; row: Promotion }
  | { kind: "created"; row: Promotion; supersedes: Promotion | undefined; anchor: AuditAnchor }
  | { kind: "busy"; holder: Promotion };

class ClaimRace extends Error {}

/** What the `promotion.requested` event keeps of the review: the evidence shown and each check's outcome. */
export function reviewedDetail(preview: Assessment["preview"]): Record<string, unknown> {
  const ev = preview.evidence;
  return {
    evidence: ev
      ? { env: ev.env, since: ev.since, commit: ev.commit, runningNow: ev.runningNow, commitsChecked: ev.commitsChecked }
      : null,
    checks: preview.checks.map((c) => ({ id: c.id, status: c.status })),
  };
}

/** Inserts the PENDING row (or finds the attempt already in flight), superseding an older OPEN one. */
export async function claimPromotion(ctx: PromotionContext, a: Assessment, actor: Actor): Promise<Claim> {
  const { preview, edit: plan } = a;
  const { app, toEnv, digest, tag, rollback, kind } = preview.request;
  // A canary into one target is its own slot, key and branch: prod/us-east-1 beside prod.
  const target = preview.request.target ?? null;
  const address = addressOf(toEnv, target);
  if ((!digest && !tag) || !plan) throw new PromotionInputError("Nothing to promote.");
  const image = preview.request.image ?? a.plan?.from.repository;
  if (!image) throw new PromotionInputError("Nothing to promote: no image or artifact named.");
  const repository = ctx.repo.repository;
  const slot = openSlot(repository, app, address);
  const artifact = kind === "image" ? undefined : { kind, name: image };
  // A chart's or remote base's key names it, so a chart at 1.2.0 never collides with an image tagged 1.2.0.
  const reference = artifact ? `${kind}:${image}@${tag}` : promotedReference({ digest, tag });
  const branch = promotionBranchName(app, address, branchReference({ artifact, to: { digest, tag } }));
  for (let round = 0; round < 4; round++) {
    const latest = await ctx.db.promotion.findFirst({
      // A tag-only promotion is known by its tag; one with a digest by the digest (the bytes); a
      // chart's or remote base's by its kind, name and version.
      where: {
        repository,
        app,
        toEnv,
        target,
        digest,
        ...(digest ? {} : { tag }),
        ...(kind === "image" ? {} : { kind, image }),
      },
      orderBy: { createdAt: "desc" },
    });
    if (latest && (latest.status === "PENDING" || latest.status === "OPEN")) return { kind: "existing", row: latest };
    const attempt = latest ? attemptOf(latest.idempotencyKey) + 1 : 1;
    const holder = await ctx.db.promotion.findUnique({ where: { openSlot: slot } });
    if (holder?.status === "PENDING") return { kind: "busy", holder };
    const id = randomUUID();
    const now = nowOf(ctx);
    try {
      return await ctx.db.$transaction(async (tx) => {
        if (holder) {
          const released = await transition(tx, holder.id, {
            from: ["OPEN"],
            when: (row) => row.openSlot === slot,
            actor: actor.login,
            at: now,
            // The older row stays OPEN (its PR is still open) until the PR is closed below.
            data: () => ({ openSlot: null }),
            events: () => [{ type: "promotion.superseded", detail: { by: id, byDigest: digest, byTag: tag } }],
          });
          if (!released.changed) throw new ClaimRace();
        }
        const row = await tx.promotion.create({
          data: {
            id,
            repository,
            app,
            kind,
            image,
            fromEnv: preview.request.fromEnv ?? toEnv,
            toEnv,
            digest,
            previousDigest: plan.from.digest,
            tag,
            previousTag: plan.from.tag,
            target,
            status: "PENDING",
            idempotencyKey: idempotencyKey(repository, app, address, reference, attempt),
            openSlot: slot,
            branch,
            baseCommit: a.planView.snapshot.commit,
            targetPath: plan.path,
            requestedBy: actor.login,
            rollback,
            sourceSince: preview.evidence?.since ? new Date(preview.evidence.since) : null,
            createdAt: now,
          },
        });
        const requested = await appendEvent(tx, {
          promotionId: id,
          repository,
          type: "promotion.requested",
          actor: actor.login,
          at: now,
          detail: {
            app,
            ...(kind === "image" ? {} : { kind }),
            image: row.image,
            fromEnv: row.fromEnv,
            toEnv,
            digest,
            previousDigest: plan.from.digest,
            tag,
            previousTag: plan.from.tag,
            ...(target ? { target } : {}),
            rollback,
            attempt,
            baseCommit: row.baseCommit,
            path: plan.path,
            blobSha: preview.view.blobSha,
            branch,
            ...reviewedDetail(preview),
            ...(holder ? { supersedes: holder.id } : {}),
          },
        });
        return {
          kind: "created" as const,
          row,
          supersedes: holder ?? undefined,
          anchor: { eventId: requested.id, hash: requested.hash },
        };
      });
    } catch (error) {
      // Someone else inserted this attempt or took the slot meanwhile: look again.
      if (isUniqueViolation(error) || error instanceof ClaimRace) continue;
      throw error;
    }
  }
  const holder = await ctx.db.promotion.findUnique({ where: { openSlot: slot } });
  if (holder) return { kind: "busy", holder };
  throw new Error(`Could not record the promotion of ${app} to ${toEnv}: it kept racing with other requests.`);
}
