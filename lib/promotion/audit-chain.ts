/**
 * The tamper-evident audit trail. `appendEvent` is the only way a PromotionEvent is written:
 * each event stores the SHA-256 of its predecessor and a SHA-256 over its own content and that
 * predecessor, so changing, removing or reordering any event breaks every later link. The newest
 * events have no later link; their PR bodies anchor them instead (audit-anchors.ts).
 * Appends are serialised with a transaction-scoped advisory lock so two concurrent appends
 * cannot both chain onto the same predecessor (a fork). That lock also makes events commit in
 * id order, which the notification outbox relies on (lib/notify/fan-out.ts reads events past a
 * cursor). There is no update or delete path:
 * the database refuses one too (trigger in the `promotion_rollback_source_since` migration).
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";

export type AuditEventType =
  | "promotion.requested"
  | "promotion.opened"
  | "promotion.merged"
  | "promotion.closed"
  | "promotion.failed"
  | "promotion.superseded"
  | "promotion.reinstated"
  /** Ladder merged the pull request itself (ladder.yaml `autoMerge`): the head, approvals and checks it saw. */
  | "promotion.auto-merged"
  /** GitHub refused Ladder's auto-merge (protection, a moved head): recorded, asked again only once something changes. */
  | "promotion.auto-merge-refused"
  /** A request refused by policy at execution (no promotion row: the detail names app and environments). */
  | "promotion.refused"
  | "environment.locked"
  | "environment.unlocked";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface AppendEventInput {
  promotionId?: string | null;
  /** "owner/name" */
  repository: string;
  type: AuditEventType;
  actor: string;
  /** Plain data; normalised through canonical JSON before it is hashed and stored. */
  detail?: Record<string, unknown>;
  /** Event time (default: now). Part of the hashed content. */
  at?: Date;
}

export interface AuditEvent {
  /** Bigint id as a decimal string (JSON- and React-serialisable). */
  id: string;
  promotionId: string | null;
  repository: string;
  type: string;
  actor: string;
  detail: JsonObject;
  prevHash: string;
  hash: string;
  createdAt: string;
}

export const GENESIS_HASH = "genesis";
const HASH_VERSION = 1;

/**
 * JSON with object keys sorted at every level, `undefined` members dropped and Dates as ISO
 * strings: the same data always gives the same bytes, whatever order Postgres' jsonb returns keys in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value) ?? null);
}

function canonicalValue(value: unknown): JsonValue | undefined {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (Array.isArray(value)) return value.map((v) => canonicalValue(v) ?? null);
  const out: JsonObject = {};
  for (const key of Object.keys(value as object).sort()) {
    const v = canonicalValue((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** `detail` as it will be stored and read back (plain JSON, sorted keys). */
export function normaliseDetail(detail: Record<string, unknown> | undefined): JsonObject {
  const v = canonicalValue(detail ?? {});
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : {};
}

export interface HashedContent {
  promotionId: string | null;
  repository: string;
  type: string;
  actor: string;
  detail: unknown;
  createdAt: Date;
}

/** sha256(prevHash + canonical JSON of the event's content), hex. */
export function eventHash(prevHash: string, content: HashedContent): string {
  const body = canonicalJson({
    v: HASH_VERSION,
    promotionId: content.promotionId,
    repository: content.repository,
    type: content.type,
    actor: content.actor,
    detail: content.detail,
    createdAt: content.createdAt.toISOString(),
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}

type EventRow = Prisma.PromotionEventGetPayload<Record<string, never>>;

export function toAuditEvent(row: EventRow): AuditEvent {
  return {
    id: row.id.toString(),
    promotionId: row.promotionId,
    repository: row.repository,
    type: row.type,
    actor: row.actor,
    detail: normaliseDetail(
      typeof row.detail === "object" && row.detail !== null && !Array.isArray(row.detail)
        ? (row.detail as Record<string, unknown>)
        : {},
    ),
    prevHash: row.prevHash,
    hash: row.hash,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Appends one event inside the caller's transaction. Must run in a transaction: the advisory
 * lock is held until commit, so the next append sees this event as its predecessor.
 */
/**
 * Takes the chain's transaction-scoped lock (re-entrant within one transaction). A transaction
 * that will lock promotion rows and then append takes it first (promotion-state.ts lockRow):
 * with every writer taking chain lock → row locks in that order, a bundle's per-row updates and
 * a webhook updating the same rows in one transaction cannot deadlock.
 */
export async function lockAuditChain(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('ladder.promotion_event'))`;
}

export async function appendEvent(tx: Prisma.TransactionClient, input: AppendEventInput): Promise<AuditEvent> {
  await lockAuditChain(tx);
  const last = await tx.promotionEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const detail = normaliseDetail(input.detail);
  // Timestamps are stored with millisecond precision; hash exactly what is stored.
  const createdAt = new Date(Math.floor((input.at ?? new Date()).getTime()));
  const content: HashedContent = {
    promotionId: input.promotionId ?? null,
    repository: input.repository,
    type: input.type,
    actor: input.actor,
    detail,
    createdAt,
  };
  const row = await tx.promotionEvent.create({
    data: {
      promotionId: content.promotionId,
      repository: content.repository,
      type: content.type,
      actor: content.actor,
      detail,
      prevHash,
      hash: eventHash(prevHash, content),
      createdAt,
    },
  });
  return toAuditEvent(row);
}

export interface ChainVerification {
  ok: boolean;
  /** Events checked (all of them when ok). */
  checked: number;
  /** Hash of the last good event (the chain head when ok). */
  head: string;
  firstBroken?: { id: string; reason: string };
}

/** Walks the whole chain in id order and names the first event whose link or content does not verify. */
export async function verifyChain(db: Db, options: { batchSize?: number } = {}): Promise<ChainVerification> {
  const batchSize = options.batchSize ?? 1000;
  let prev = GENESIS_HASH;
  let prevId: bigint | undefined;
  let checked = 0;
  for (;;) {
    const rows = await db.promotionEvent.findMany({
      where: prevId === undefined ? {} : { id: { gt: prevId } },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    for (const row of rows) {
      const id = row.id.toString();
      if (row.prevHash !== prev) {
        const reason =
          prevId === undefined
            ? `the first event should link to "${GENESIS_HASH}" but links to ${row.prevHash.slice(0, 12)}… (earlier events were removed)`
            : `links to ${row.prevHash.slice(0, 12)}… but the previous event #${prevId} has hash ${prev.slice(0, 12)}… (an event was removed, inserted or altered)`;
        return { ok: false, checked, head: prev, firstBroken: { id, reason } };
      }
      const expected = eventHash(row.prevHash, {
        promotionId: row.promotionId,
        repository: row.repository,
        type: row.type,
        actor: row.actor,
        detail: row.detail,
        createdAt: row.createdAt,
      });
      if (expected !== row.hash) {
        return {
          ok: false,
          checked,
          head: prev,
          firstBroken: { id, reason: "content does not match its hash (the event was modified after it was written)" },
        };
      }
      prev = row.hash;
      prevId = row.id;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, checked, head: prev };
}
