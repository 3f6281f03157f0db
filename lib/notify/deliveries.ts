/** A promotion's notifications as the drawer shows them: target, event, status, attempts, last error. */
import type { Db } from "../db/client";
import type { NotificationDelivery } from "../generated/prisma/client";

export interface DeliveryRecord {
  id: string;
  target: string;
  kind: "slack" | "webhook";
  /** The audit event type notified (`promotion.merged`). */
  eventType: string;
  eventId: string;
  status: "PENDING" | "DELIVERED" | "DEAD";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export function toDeliveryRecord(row: NotificationDelivery): DeliveryRecord {
  return {
    id: row.id,
    target: row.target,
    kind: row.kind,
    eventType: row.eventType,
    eventId: row.eventId.toString(),
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.status === "PENDING" ? row.nextAttemptAt.toISOString() : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Oldest event first, then by target. */
export async function deliveriesOfPromotion(db: Db, promotionId: string): Promise<DeliveryRecord[]> {
  const rows = await db.notificationDelivery.findMany({
    where: { promotionId },
    orderBy: [{ eventId: "asc" }, { target: "asc" }],
    take: 500,
  });
  return rows.map(toDeliveryRecord);
}
