/**
 * Environment locks and freezes set from the UI, with a reason and an optional expiry. A lock
 * on app "*" freezes the whole environment. Setting and releasing are audit events; an expired
 * lock simply stops counting (nothing has to run to expire it).
 */
import type { Db } from "../db/client";
import type { EnvironmentLock } from "../generated/prisma/client";
import { appendEvent } from "./audit-chain";
import type { TeamMembership } from "./context";
import { LockError } from "./errors";
import type { LockInfo } from "./policy";

export type LockRecord = LockInfo & { repository: string; releasedAt: string | null; releasedBy: string | null };

export interface LockInput {
  repository: string;
  env: string;
  /** App name, or omitted / "*" to lock every app of the environment. */
  app?: string;
  reason: string;
  expiresAt?: Date | null;
  actor: string;
}

export interface LockPermission {
  /** ladder.yaml `lockers` of the environment; empty = anyone may lock. */
  lockers?: readonly string[];
  isTeamMember?: TeamMembership;
  now?: Date;
}

export function toLockRecord(row: EnvironmentLock): LockRecord {
  return {
    id: row.id,
    repository: row.repository,
    app: row.app,
    env: row.env,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    releasedAt: row.releasedAt?.toISOString() ?? null,
    releasedBy: row.releasedBy,
  };
}

async function mayLock(actor: string, permission: LockPermission): Promise<boolean> {
  const lockers = permission.lockers ?? [];
  if (lockers.length === 0) return true;
  const login = actor.toLowerCase();
  if (lockers.some((l) => !l.includes("/") && l.replace(/^@/, "").toLowerCase() === login)) return true;
  for (const team of lockers.filter((l) => l.includes("/"))) {
    if (await permission.isTeamMember?.(actor, team)) return true;
  }
  return false;
}

export async function lockEnvironment(db: Db, input: LockInput, permission: LockPermission = {}): Promise<LockRecord> {
  const now = permission.now ?? new Date();
  const reason = input.reason.trim();
  if (!reason) throw new LockError("A lock needs a reason.");
  if (reason.length > 500) throw new LockError("Keep the reason under 500 characters.");
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw new LockError("The expiry must be in the future.");
  if (!(await mayLock(input.actor, permission)))
    throw new LockError(`${input.actor} may not lock ${input.env} (lockers: ${(permission.lockers ?? []).join(", ")})`, 403);
  const app = input.app && input.app !== "" ? input.app : "*";
  return await db.$transaction(async (tx) => {
    const row = await tx.environmentLock.create({
      data: {
        repository: input.repository,
        app,
        env: input.env,
        reason,
        createdBy: input.actor,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
      },
    });
    await appendEvent(tx, {
      repository: input.repository,
      type: "environment.locked",
      actor: input.actor,
      at: now,
      detail: { lockId: row.id, app, env: input.env, reason, expiresAt: input.expiresAt?.toISOString() ?? null },
    });
    return toLockRecord(row);
  });
}

/** Releases a lock; releasing one already released or expired is refused with the reason. */
export async function releaseLock(
  db: Db,
  input: { id: string; actor: string },
  permission: LockPermission = {},
): Promise<LockRecord> {
  const now = permission.now ?? new Date();
  if (!(await mayLock(input.actor, permission))) throw new LockError(`${input.actor} may not release this lock`, 403);
  return await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM environment_lock WHERE id = ${input.id}::uuid FOR UPDATE`;
    const row = await tx.environmentLock.findUnique({ where: { id: input.id } });
    if (!row) throw new LockError(`No lock ${input.id}.`, 404);
    if (row.releasedAt) throw new LockError(`This lock was already released by ${row.releasedBy ?? "someone"}.`, 409);
    const updated = await tx.environmentLock.update({
      where: { id: row.id },
      data: { releasedAt: now, releasedBy: input.actor },
    });
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();
    await appendEvent(tx, {
      repository: row.repository,
      type: "environment.unlocked",
      actor: input.actor,
      at: now,
      detail: { lockId: row.id, app: row.app, env: row.env, ...(expired ? { alreadyExpired: true } : {}) },
    });
    return toLockRecord(updated);
  });
}

/** Locks in force now: not released, not expired. */
export async function activeLocks(
  db: Db,
  filter: { repository: string; env?: string; app?: string; now?: Date },
): Promise<LockRecord[]> {
  const now = filter.now ?? new Date();
  const rows = await db.environmentLock.findMany({
    where: {
      repository: filter.repository,
      releasedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      ...(filter.env ? { env: filter.env } : {}),
      ...(filter.app ? { app: { in: [filter.app, "*"] } } : {}),
    },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toLockRecord);
}
