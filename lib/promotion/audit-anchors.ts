/**
 * The audit chain's anchors outside the database. The hash chain alone shows a changed or
 * removed event only when a later event still links to it: deleting the newest events (or
 * recomputing every hash after an edit) leaves a chain that verifies. Each promotion PR's body
 * records the id and hash of its `promotion.requested` event, on GitHub where someone with only
 * database access cannot change it; comparing the database with those records shows a deleted
 * tail or a rewritten history up to the newest promotion.
 */
import type { Db } from "../db/client";
import { type AuditAnchor, parseAuditAnchor } from "../github/promotion-pr-text";

/** A promotion PR as the anchor check needs it (see listPromotionPullRequests). */
export interface AnchoringPull {
  number: number;
  url: string;
  branch: string;
  body: string;
}

export interface AnchorProblem {
  pr: number;
  url: string;
  /** The anchored event, when the body named one. */
  eventId?: string;
  reason: string;
}

export interface AnchorVerification {
  ok: boolean;
  /** Promotion PRs read. */
  pulls: number;
  /** Anchors compared with the database. */
  checked: number;
  /** Promotion PRs without an anchor (opened before Ladder wrote them, or on a hand-made branch). */
  unanchored: number[];
  /** The newest anchored point: everything up to this event is pinned. */
  newest?: { pr: number; url: string; eventId: string; hash: string };
  /** Events after `newest`: nothing outside the database vouches for them until the next PR. */
  eventsAfterNewest: number;
  problems: AnchorProblem[];
}

const MAX_BIGINT = 9223372036854775807n;
const BATCH = 1000;

/** Compares every anchor in `pulls` with the event it names in `repository`'s audit trail. */
export async function verifyAnchors(db: Db, repository: string, pulls: readonly AnchoringPull[]): Promise<AnchorVerification> {
  const problems: AnchorProblem[] = [];
  const unanchored: number[] = [];
  const anchored: Array<{ pull: AnchoringPull; anchor: AuditAnchor }> = [];
  for (const pull of pulls) {
    const parsed = parseAuditAnchor(pull.body);
    if (parsed.kind === "none") unanchored.push(pull.number);
    else if (parsed.kind === "invalid") problems.push({ pr: pull.number, url: pull.url, reason: parsed.reason });
    else anchored.push({ pull, anchor: parsed.anchor });
  }

  const ids = [...new Set(anchored.map((a) => BigInt(a.anchor.eventId)).filter((id) => id <= MAX_BIGINT))];
  const events = new Map<string, { hash: string; type: string; repository: string; branch: unknown }>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db.promotionEvent.findMany({
      where: { id: { in: ids.slice(i, i + BATCH) } },
      select: { id: true, hash: true, type: true, repository: true, detail: true },
    });
    for (const row of rows) {
      const detail = row.detail;
      const branch = detail !== null && typeof detail === "object" && !Array.isArray(detail) ? detail.branch : undefined;
      events.set(row.id.toString(), { hash: row.hash, type: row.type, repository: row.repository, branch });
    }
  }

  let newest: AnchorVerification["newest"];
  for (const { pull, anchor } of anchored) {
    const at = { pr: pull.number, url: pull.url, eventId: anchor.eventId };
    const event = events.get(anchor.eventId);
    if (!event) {
      problems.push({
        ...at,
        reason: `event #${anchor.eventId} is missing from the database (events were deleted, or the history was rewritten)`,
      });
    } else if (event.hash !== anchor.hash) {
      problems.push({
        ...at,
        reason: `event #${anchor.eventId} has hash ${event.hash.slice(0, 12)}…, but the PR anchored ${anchor.hash.slice(0, 12)}… (the history up to it was rewritten)`,
      });
    } else if (event.type !== "promotion.requested" || event.repository !== repository || event.branch !== pull.branch) {
      // The hash matches, so the event is genuine, but it is not this PR's request: the body was edited.
      problems.push({
        ...at,
        reason: `event #${anchor.eventId} is a ${event.type} of ${event.repository}${typeof event.branch === "string" ? ` for ${event.branch}` : ""}, not the promotion.requested event of ${pull.branch}`,
      });
    }
    if (!newest || BigInt(anchor.eventId) > BigInt(newest.eventId)) newest = { pr: pull.number, ...anchor, url: pull.url };
  }

  const eventsAfterNewest = newest
    ? BigInt(newest.eventId) > MAX_BIGINT
      ? 0
      : await db.promotionEvent.count({ where: { id: { gt: BigInt(newest.eventId) } } })
    : 0;
  return {
    ok: problems.length === 0,
    pulls: pulls.length,
    checked: anchored.length,
    unanchored,
    ...(newest ? { newest } : {}),
    eventsAfterNewest,
    problems,
  };
}
