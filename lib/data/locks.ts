import "server-only";
import { type Actor, authorize, teamMembership } from "../auth";
import { db } from "../db/client";
import { environmentPolicies } from "../gitops/ladder-config";
import { policyConfig } from "../gitops/ladder-yaml-status";
import type { ScanResult } from "../gitops/types";
import { LockError } from "../promotion/errors";
import { activeLocks, type LockPermission, type LockRecord, lockEnvironment, releaseLock } from "../promotion/locks";
import { getRepository } from "./repository-view";

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

/** The lockers of `env` from the head's ladder.yaml, with GitHub's team membership. */
function lockPermission(scan: ScanResult, env: string): LockPermission {
  const config = policyConfig(scan);
  const lockers = config ? (environmentPolicies(config).find((p) => p.name === env)?.lockers ?? []) : [];
  return { lockers, isTeamMember: teamMembership };
}

/** Freezes `env` (or one app in it) for `actor`, after ladder.yaml's lockers (and viewers) allow it. */
export async function lockEnv(
  input: { env: string; app?: string; reason: string; expiresAt: Date | null },
  actor: Actor,
): Promise<LockRecord> {
  const service = getRepository();
  const view = await service.current();
  if (!view.scan.environments.includes(input.env)) throw new LockError(`Unknown environment ${input.env}.`, 404);
  await authorize(actor, "lock", { env: input.env });
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
    lockPermission(view.scan, input.env),
  );
}

/**
 * Releases lock `id` of this repository. Permission is decided against the lock's own
 * environment, read from its row — never an environment the form names.
 */
export async function unlock(id: string, actor: Actor): Promise<LockRecord> {
  const service = getRepository();
  const view = await service.current();
  return releaseLock(db(), { id, actor: actor.login, repository: service.repository }, async (env) => {
    await authorize(actor, "lock", { env });
    return lockPermission(view.scan, env);
  });
}
