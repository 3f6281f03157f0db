import "server-only";
import { db } from "../db/client";
import type { Actor } from "../promotion/context";
import { activeLocks, type LockRecord, lockEnvironment, releaseLock } from "../promotion/locks";
import { policyFor } from "../promotion/policy";
import { getRepository } from "./repository";

/** Locks in force now, by environment. */
export async function getActiveLocks(): Promise<Record<string, LockRecord[]>> {
  const repository = getRepository().repository;
  const locks = await activeLocks(db(), { repository });
  const byEnv: Record<string, LockRecord[]> = {};
  for (const lock of locks) {
    const list = byEnv[lock.env] ?? [];
    list.push(lock);
    byEnv[lock.env] = list;
  }
  return byEnv;
}

export async function lockEnv(input: { env: string; app?: string; reason: string; expiresAt: Date | null }, actor: Actor) {
  const service = getRepository();
  const view = await service.current();
  if (!view.scan.environments.includes(input.env)) throw new Error(`Unknown environment ${input.env}.`);
  const firstApp = view.scan.apps.find((a) => a.environments[input.env])?.name;
  const lockers = firstApp ? policyFor(view.scan, firstApp, input.env).policy.lockers : [];
  return lockEnvironment(
    db(),
    {
      repository: service.repository,
      env: input.env,
      app: input.app,
      reason: input.reason,
      expiresAt: input.expiresAt,
      actor: actor.login,
    },
    { lockers },
  );
}

export async function unlock(id: string, actor: Actor) {
  return releaseLock(db(), { id, actor: actor.login });
}
