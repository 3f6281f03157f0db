/**
 * A bundle's write-ahead record: one transaction inserts a PENDING row per member (each with its
 * own idempotency key and the open slot of its app and environment) sharing one bundle id, with
 * each row's `promotion.requested` event — or finds the bundle already in flight.
 *
 * The bundle id is derived from the members and their attempt numbers, so a double click or a
 * second replica computes the same id and the same keys: one of them inserts, the other hits the
 * unique keys, looks again and finds the rows.
 */
import { createHash } from "node:crypto";
import type { Promotion } from "../generated/prisma/client";
import { type AuditAnchor, bundleBranchName } from "../github/promotion-pr-text";
import { appendEvent } from "./audit-chain";
import { bundleKey } from "./bundle";
import { reviewedDetail } from "./claim-promotion";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { isUniqueViolation } from "./errors";
import type { Assessment } from "./preview-promotion";
import { attemptOf, idempotencyKey, openSlot, promotedReference } from "./promotion-record";
import { transition } from "./promotion-state";

export type BundleClaim =
  | { kind: "existing"; rows: Promotion[] }
  | {
      kind: "created";
      bundleId: string;
      rows: Promotion[];
      /** Older OPEN rows whose slots the members took (their PRs are closed once the bundle's PR exists). */
      supersedes: Map<string, Promotion>;
      anchor: AuditAnchor;
    }
  /** Members another promotion is opening right now (their slot is PENDING): left out. */
  | { kind: "busy"; busy: { app: string; holder: Promotion }[] }
  /** Members whose same reference is already in flight outside this bundle (on its own, or in another bundle). */
  | { kind: "held"; held: { app: string; row: Promotion }[] };

class ClaimRace extends Error {}

/** A UUID (version 8, RFC 9562 "custom") from a SHA-256: the same members always get the same id. */
function derivedUuid(text: string): string {
  const h = createHash("sha256").update(text).digest("hex").slice(0, 32).split("");
  h[12] = "8";
  h[16] = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const memberOf = (a: Assessment) => {
  const r = a.preview.request;
  return { app: r.app, digest: r.digest, tag: r.tag };
};

export async function claimBundle(ctx: PromotionContext, assessments: readonly Assessment[], actor: Actor): Promise<BundleClaim> {
  const repository = ctx.repo.repository;
  const first = assessments[0];
  if (!first) throw new Error("an empty bundle");
  const toEnv = first.preview.request.toEnv;
  const members = assessments.map(memberOf);
  const branch = bundleBranchName(
    toEnv,
    members.map((m) => ({ app: m.app, to: { digest: m.digest, tag: m.tag } })),
  );
  for (let round = 0; round < 4; round++) {
    const latest = await Promise.all(
      members.map((m) =>
        ctx.db.promotion.findFirst({
          where: { repository, app: m.app, toEnv, target: null, digest: m.digest, ...(m.digest ? {} : { tag: m.tag }) },
          orderBy: { createdAt: "desc" },
        }),
      ),
    );
    const inFlight = latest.filter((r): r is Promotion => r !== null && (r.status === "PENDING" || r.status === "OPEN"));
    const bundles = new Set(inFlight.map((r) => r.bundleId));
    if (inFlight.length === members.length && bundles.size === 1 && !bundles.has(null))
      return { kind: "existing", rows: inFlight };
    // Anything else in flight for a member is another promotion of the same change: never a second row for it.
    const held = latest.flatMap((r, i) =>
      r && (r.status === "PENDING" || r.status === "OPEN") ? [{ app: members[i]?.app ?? r.app, row: r }] : [],
    );
    if (held.length > 0) return { kind: "held", held };
    const attempts = latest.map((r) =>
      r ? attemptOf(r.idempotencyKey) + (r.status === "PENDING" || r.status === "OPEN" ? 0 : 1) : 1,
    );
    const bundleId = derivedUuid(`${repository}\n${toEnv}\n${bundleKey(members)}\n${attempts.join(",")}`);
    const holders = await Promise.all(
      members.map((m) => ctx.db.promotion.findUnique({ where: { openSlot: openSlot(repository, m.app, toEnv) } })),
    );
    const busy = holders.flatMap((h, i) =>
      h?.status === "PENDING" && h.bundleId !== bundleId ? [{ app: members[i]?.app ?? "", holder: h }] : [],
    );
    if (busy.length > 0) return { kind: "busy", busy };
    const now = nowOf(ctx);
    try {
      return await ctx.db.$transaction(async (tx) => {
        const rows: Promotion[] = [];
        const supersedes = new Map<string, Promotion>();
        let anchor: AuditAnchor | undefined;
        for (const [i, a] of assessments.entries()) {
          const { preview, plan } = a;
          const m = members[i];
          if (!plan || !m) throw new Error(`nothing planned for ${preview.request.app}`);
          const id = derivedUuid(`${bundleId}\n${m.app}`);
          const slot = openSlot(repository, m.app, toEnv);
          const holder = holders[i];
          if (holder) {
            const released = await transition(tx, holder.id, {
              from: ["OPEN"],
              when: (row) => row.openSlot === slot,
              actor: actor.login,
              at: now,
              data: () => ({ openSlot: null }),
              events: () => [{ type: "promotion.superseded", detail: { by: id, byDigest: m.digest, byTag: m.tag, bundleId } }],
            });
            if (!released.changed) throw new ClaimRace();
            supersedes.set(id, holder);
          }
          const row = await tx.promotion.create({
            data: {
              id,
              repository,
              app: m.app,
              image: preview.request.image ?? plan.from.repository,
              fromEnv: preview.request.fromEnv ?? toEnv,
              toEnv,
              digest: m.digest,
              previousDigest: plan.from.digest,
              tag: m.tag,
              previousTag: plan.from.tag,
              bundleId,
              status: "PENDING",
              idempotencyKey: idempotencyKey(repository, m.app, toEnv, promotedReference(m), attempts[i] ?? 1),
              openSlot: slot,
              branch,
              baseCommit: a.planView.snapshot.commit,
              targetPath: plan.path,
              requestedBy: actor.login,
              rollback: preview.request.rollback,
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
              app: m.app,
              image: row.image,
              fromEnv: row.fromEnv,
              toEnv,
              digest: m.digest,
              previousDigest: plan.from.digest,
              tag: m.tag,
              previousTag: plan.from.tag,
              rollback: row.rollback,
              attempt: attempts[i] ?? 1,
              baseCommit: row.baseCommit,
              path: plan.path,
              blobSha: preview.view.blobSha,
              branch,
              bundle: { id: bundleId, apps: members.map((x) => x.app) },
              ...reviewedDetail(preview),
              ...(holder ? { supersedes: holder.id } : {}),
            },
          });
          anchor = { eventId: requested.id, hash: requested.hash };
          rows.push(row);
        }
        if (!anchor) throw new Error("an empty bundle");
        return { kind: "created" as const, bundleId, rows, supersedes, anchor };
      });
    } catch (error) {
      // Another request inserted these attempts or took a slot meanwhile: look again.
      if (isUniqueViolation(error) || error instanceof ClaimRace) continue;
      throw error;
    }
  }
  throw new Error(`Could not record the bundle for ${toEnv}: it kept racing with other requests.`);
}
