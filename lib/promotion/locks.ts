/**
 * Environment locks and freezes set from the UI, with a reason and an optional expiry. A lock
 * on app "*" freezes the whole environment. Setting and releasing are audit events; an expired
 * lock simply stops counting (nothing has to run to expire it).
 */
import { matchList, type TeamMembership, unreadableNote } from "../auth/membership";
import type { Db } from "../db/client";
import type { EnvironmentLock } from "../generated/prisma/client";
import { appendEvent } from "./audit-chain";
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

async function lockRefusal(actor: string, env: string, permission: LockPermission): Promise<string | undefined> {
  const lockers = permission.lockers ?? [];
  if (lockers.length === 0) return undefined;
  const match = await matchList(actor, lockers, permission.isTeamMember);
  return match.member
    ? undefined
    : `${actor} may not lock or unlock ${env} (lockers: ${lockers.join(", ")})${unreadableNote(match)}`;
}

export async function lockEnvironment(db: Db, input: LockInput, permission: LockPermission = {}): Promise<LockRecord> {
  const now = permission.now ?? new Date();
  const reason = input.reason.trim();
  if (!reason) throw new LockError("A lock needs a reason.");
  if (reason.length > 500) throw new LockError("Keep the reason under 500 characters.");
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw new LockError("The expiry must be in the future.");
  const refused = await lockRefusal(input.actor, input.env, permission);
  if (refused) throw new LockError(refused, 403);
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

/**
 * Releases a lock of `input.repository`; releasing one already released or expired is refused
 * with the reason. Who may release is decided from the lock's own row — its environment's
 * lockers (`permissionFor(row.env)`) — never from anything the caller says about it.
 */
export async function releaseLock(
  db: Db,
  input: { id: string; actor: string; repository: string },
  permissionFor: (env: string) => Promise<LockPermission> | LockPermission = () => ({}),
): Promise<LockRecord> {
  // Permission first, outside the transaction: it may ask GitHub (team membership), which must not
  // happen while a row lock and a pooled connection are held. A lock's repository and environment
  // never change after it is created, so deciding on this read is as good as deciding under the lock.
  const found = await db.environmentLock.findUnique({ where: { id: input.id } });
  // Another repository's lock is not ours to name, let alone release.
  if (!found || found.repository !== input.repository) throw new LockError(`No lock ${input.id}.`, 404);
  const permission = await permissionFor(found.env);
  const now = permission.now ?? new Date();
  const refused = await lockRefusal(input.actor, found.env, permission);
  if (refused) throw new LockError(refused, 403);
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
