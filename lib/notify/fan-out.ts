/**
 * The outbox side of notifications. The audit chain is the outbox: every event Ladder notifies is
 * appended in the same transaction as the change it records (audit-chain.ts), so an event and
 * what it says happened commit together or not at all — and the promotion path writes nothing
 * more than it did. Routing happens here, behind the cursor: the events of a repository past its
 * cursor are matched against ladder.yaml's `notify:` targets and become one delivery row per
 * target, in the same transaction that moves the cursor on. A crash between the two loses
 * nothing (the cursor has not moved) and doubles nothing (one row per event and target).
 *
 * Events commit in id order (appendEvent serialises appends under an advisory lock held to
 * commit), so an event can never appear behind the cursor after it moved past its id.
 * Routing reads ladder.yaml at the branch head; while it is invalid or unreadable the cursor
 * waits (saying why) and the events go out once it is fixed. The first time a repository is
 * seen, its cursor starts at the newest event: history from before notifications is not sent.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import {
  buildPayload,
  type EventFacts,
  environmentOf,
  isNotifiedType,
  type LockFacts,
  NOTIFIED_TYPES,
  sequenceKeyOf,
} from "./notification-payload";
import type { NotifyTarget } from "./notify-config";

/** The targets in force, or why there are none to decide by. */
export type Routing = { ok: true; targets: readonly NotifyTarget[] } | { ok: false; reason: string };

export interface FanOutOptions {
  repository: string;
  routing: () => Promise<Routing>;
  now?: Date;
  /** Events routed per transaction (default 200). */
  batchSize?: number;
  publicUrl?: string;
}

export type FanOutResult =
  | { state: "idle" }
  | { state: "routed"; events: number; deliveries: number; more: boolean }
  /** Another replica holds the cursor right now. */
  | { state: "busy" }
  | { state: "waiting"; reason: string };

/** Whether `target` wants this event (its `environments:` and `events:` filters). */
export function wants(target: NotifyTarget, event: { type: keyof typeof NOTIFIED_TYPES; env: string | null }): boolean {
  if (target.events && !target.events.includes(NOTIFIED_TYPES[event.type])) return false;
  if (target.environments && (event.env === null || !target.environments.includes(event.env))) return false;
  return true;
}

async function cursorOf(db: Db, repository: string, now: Date): Promise<bigint> {
  const found = await db.notificationCursor.findUnique({ where: { repository } });
  if (found) return found.lastEventId;
  const newest = await db.promotionEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  // Two replicas starting together: the first insert wins, the other reads it back.
  await db.notificationCursor.createMany({
    data: [{ repository, lastEventId: newest?.id ?? 0n, updatedAt: now }],
    skipDuplicates: true,
  });
  return (await db.notificationCursor.findUniqueOrThrow({ where: { repository } })).lastEventId;
}

function detailOf(value: Prisma.JsonValue): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Routes the next batch of events past the cursor; never sends anything itself. */
export async function fanOut(db: Db, options: FanOutOptions): Promise<FanOutResult> {
  const now = options.now ?? new Date();
  const { repository } = options;
  const batchSize = options.batchSize ?? 200;
  const cursor = await cursorOf(db, repository, now);
  const pending = await db.promotionEvent.findFirst({ where: { repository, id: { gt: cursor } }, select: { id: true } });
  if (!pending) return { state: "idle" };

  // Reading ladder.yaml may ask GitHub: never while a transaction and a pooled connection are held.
  let routing: Routing;
  try {
    routing = await options.routing();
  } catch (error) {
    routing = { ok: false, reason: `ladder.yaml could not be read (${(error as Error).message})` };
  }
  if (!routing.ok) {
    const reason = routing.reason;
    await db.notificationCursor.updateMany({
      where: { repository, OR: [{ lastError: null }, { lastError: { not: reason } }] },
      data: { lastError: reason, updatedAt: now },
    });
    return { state: "waiting", reason };
  }
  const targets = routing.targets;

  return await db.$transaction(async (tx): Promise<FanOutResult> => {
    const locked = await tx.$queryRaw<{ last_event_id: bigint }[]>`
      SELECT last_event_id FROM notification_cursor WHERE repository = ${repository} FOR UPDATE SKIP LOCKED`;
    const from = locked[0]?.last_event_id;
    if (from === undefined) return { state: "busy" };
    const events = await tx.promotionEvent.findMany({
      where: { repository, id: { gt: from } },
      orderBy: { id: "asc" },
      take: batchSize,
      include: { promotion: true },
    });
    const last = events.at(-1);
    if (!last) return { state: "idle" };
    const notified = events.filter((e) => isNotifiedType(e.type));
    const lockIds = notified
      .map((e) => detailOf(e.detail).lockId)
      .filter((id): id is string => typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id));
    const locks = new Map<string, LockFacts>();
    if (targets.length > 0 && lockIds.length > 0) {
      for (const l of await tx.environmentLock.findMany({ where: { id: { in: lockIds } } })) locks.set(l.id, l);
    }
    const rows: Prisma.NotificationDeliveryCreateManyInput[] = [];
    for (const e of targets.length > 0 ? notified : []) {
      if (!isNotifiedType(e.type)) continue;
      const detail = detailOf(e.detail);
      const facts: EventFacts = {
        id: e.id.toString(),
        type: e.type,
        repository: e.repository,
        actor: e.actor,
        detail,
        hash: e.hash,
        createdAt: e.createdAt,
        promotion: e.promotion,
        lock: typeof detail.lockId === "string" ? (locks.get(detail.lockId) ?? null) : null,
      };
      const env = environmentOf(facts);
      for (const target of targets) {
        if (!wants(target, { type: e.type, env })) continue;
        const id = randomUUID();
        rows.push({
          id,
          eventId: e.id,
          eventType: e.type,
          repository,
          promotionId: e.promotionId,
          sequenceKey: sequenceKeyOf(facts),
          target: target.name,
          kind: target.kind,
          url: target.url ?? null,
          urlEnv: target.urlEnv ?? null,
          secretEnv: target.secretEnv ?? null,
          payload: buildPayload(id, facts, { publicUrl: options.publicUrl }) as unknown as Prisma.InputJsonValue,
          nextAttemptAt: now,
          createdAt: now,
        });
      }
    }
    const inserted =
      rows.length > 0 ? await tx.notificationDelivery.createMany({ data: rows, skipDuplicates: true }) : { count: 0 };
    await tx.notificationCursor.update({
      where: { repository },
      data: { lastEventId: last.id, lastError: null, updatedAt: now },
    });
    return { state: "routed", events: events.length, deliveries: inserted.count, more: events.length === batchSize };
  });
}
