/**
 * Permission checks against the watched repository's ladder.yaml (see permissions.ts for the
 * rules). `authorize` throws a ForbiddenError naming the refusing rule; `checkPermission`
 * returns the decision for UIs that show why a button is disabled.
 */
import "server-only";
import { getRepositoryView, RepositoryNotConfiguredError } from "../data/repository-view";
import { db } from "../db/client";
import { serverEnv } from "../env";
import { githubClientFromEnv } from "../repository-service/from-env";
import type { Actor } from "./actor";
import { ForbiddenError, type PermissionAction } from "./errors";
import { type Decision, decide, type PermissionRules, rulesFromConfig, rulesFromScan } from "./permissions";
import { createRateLimiter, postgresRateLimitStore, type RateLimiter } from "./rate-limit";
import { createTeamMembership, type TeamMembershipLookup } from "./team-membership";

const store = globalThis as typeof globalThis & {
  __ladderTeamMembership?: TeamMembershipLookup;
  __ladderPromoteLimiter?: RateLimiter;
};

/**
 * Is `login` an active member of `team` ("org/team-slug")? Read with Ladder's GitHub
 * credentials, cached (yes: 5 min, no: 1 min). Pass it to the promotion policy.
 */
export async function teamMembership(login: string, team: string): Promise<boolean> {
  store.__ladderTeamMembership ??= createTeamMembership({
    client: () => githubClientFromEnv(),
    credentials: serverEnv().githubAuth.kind === "app" ? "app" : "token",
  });
  return await store.__ladderTeamMembership(login, team);
}

/** The permission rules of the current head's ladder.yaml (none without a repository; refusing when invalid). */
export async function currentRules(): Promise<PermissionRules> {
  try {
    const view = await getRepositoryView();
    return rulesFromScan(view.scan);
  } catch (error) {
    if (error instanceof RepositoryNotConfiguredError) return rulesFromConfig(undefined);
    throw error;
  }
}

export async function checkPermission(actor: Actor, action: PermissionAction, scope: { env?: string } = {}): Promise<Decision> {
  return await decide(actor, action, scope, await currentRules(), teamMembership);
}

/** Throws ForbiddenError (403) unless ladder.yaml lets `actor` do `action` (in `scope.env`). */
export async function authorize(actor: Actor, action: PermissionAction, scope: { env?: string } = {}): Promise<void> {
  const decision = await checkPermission(actor, action, scope);
  if (!decision.allowed) throw new ForbiddenError(decision.reason, action, decision.rule, scope.env);
}

/**
 * Counts one promotion request by `actor`; throws RateLimitedError (429) past
 * LADDER_PROMOTE_RATE_LIMIT. Backed by Postgres, so the budget is shared by every replica.
 */
export async function limitPromotions(actor: Actor): Promise<void> {
  const { limit, windowMs } = serverEnv().auth.promoteRateLimit;
  store.__ladderPromoteLimiter ??= createRateLimiter({ store: postgresRateLimitStore(() => db()), limit, windowMs });
  await store.__ladderPromoteLimiter.consume(`promote:${actor.via}:${actor.login.toLowerCase()}`);
}
