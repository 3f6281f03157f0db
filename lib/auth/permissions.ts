/**
 * Who may do what, from ladder.yaml: pure rules, no I/O (team membership is passed in).
 * Viewers gate everything; per environment, promoters gate promotions and lockers gate
 * freezes. An entry is a GitHub login (`alice`, `@alice`) or a team (`org/team-slug`).
 * An empty or absent list allows any signed-in user.
 */
import { environmentNames, environmentPolicies, type LadderConfig } from "../gitops/ladder-config";
import type { Actor } from "./actor";
import type { PermissionAction } from "./errors";

export interface PermissionRules {
  /** False when the repository has no ladder.yaml: every list is then empty. */
  fromLadderYaml: boolean;
  viewers: string[];
  environments: Map<string, { promoters: string[]; lockers: string[] }>;
}

export type TeamMembership = (login: string, team: string) => Promise<boolean>;

export type Decision = { allowed: true; rule: string; reason: string } | { allowed: false; rule: string; reason: string };

export function rulesFromConfig(config: LadderConfig | undefined): PermissionRules {
  if (!config) return { fromLadderYaml: false, viewers: [], environments: new Map() };
  const environments = new Map(environmentPolicies(config).map((p) => [p.name, { promoters: p.promoters, lockers: p.lockers }]));
  // Keep ladder order even for names environmentPolicies might normalise.
  for (const name of environmentNames(config))
    if (!environments.has(name)) environments.set(name, { promoters: [], lockers: [] });
  return { fromLadderYaml: true, viewers: config.viewers ?? [], environments };
}

const TEAM = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** "org/team" → parts; undefined for a login or anything malformed. */
export function parseTeam(entry: string): { org: string; slug: string } | undefined {
  const m = TEAM.exec(entry.trim());
  return m?.[1] && m[2] ? { org: m[1], slug: m[2] } : undefined;
}

/** True when the actor is named in the list, directly or through a team. Membership errors count as "no". */
export async function matchesList(actor: Actor, list: readonly string[], teamMembership: TeamMembership): Promise<boolean> {
  const login = actor.login.toLowerCase();
  if (list.some((entry) => !entry.includes("/") && entry.trim().replace(/^@/, "").toLowerCase() === login)) return true;
  const teams = list.filter((entry) => parseTeam(entry) !== undefined);
  for (const team of teams) {
    try {
      if (await teamMembership(actor.login, team.trim())) return true;
    } catch (error) {
      // Fail closed: an unanswerable membership question is not a yes.
      console.error(`team membership of ${actor.login} in ${team} could not be read`, error);
    }
  }
  return false;
}

const shown = (list: readonly string[]) => `[${list.join(", ")}]`;

/** The decision for one action, naming the rule that allowed or refused it. */
export async function decide(
  actor: Actor,
  action: PermissionAction,
  scope: { env?: string },
  rules: PermissionRules,
  teamMembership: TeamMembership,
): Promise<Decision> {
  if (rules.viewers.length > 0 && !(await matchesList(actor, rules.viewers, teamMembership))) {
    return {
      allowed: false,
      rule: "viewers",
      reason: `viewers are ${shown(rules.viewers)}; ${actor.login} is not one of them`,
    };
  }
  if (action === "view") {
    return {
      allowed: true,
      rule: "viewers",
      reason: rules.viewers.length > 0 ? `${actor.login} is a viewer` : "no viewers configured: any signed-in user may view",
    };
  }
  const env = scope.env;
  const listName = action === "promote" ? "promoters" : "lockers";
  const verb = action === "promote" ? "promote to" : "lock";
  if (env === undefined) return { allowed: false, rule: listName, reason: `${action} needs an environment` };
  const policy = rules.environments.get(env);
  if (!policy) {
    if (rules.fromLadderYaml)
      return { allowed: false, rule: "environments", reason: `${env} is not an environment in ladder.yaml` };
    return { allowed: true, rule: `${env} ${listName}`, reason: `no ladder.yaml: any signed-in user may ${verb} ${env}` };
  }
  const list = policy[listName];
  const rule = `${env} ${listName}`;
  if (list.length === 0)
    return { allowed: true, rule, reason: `no ${listName} configured for ${env}: any signed-in user may ${verb} it` };
  if (await matchesList(actor, list, teamMembership))
    return { allowed: true, rule, reason: `${actor.login} is one of the ${rule}` };
  return { allowed: false, rule, reason: `${env} ${listName} are ${shown(list)}; ${actor.login} is not one of them` };
}
