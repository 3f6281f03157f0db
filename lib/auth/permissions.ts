/**
 * Who may do what, from ladder.yaml: pure rules, no I/O (team membership is passed in).
 * Viewers gate everything; per environment, promoters gate promotions and lockers gate
 * freezes and their release. An entry is a GitHub login (`alice`, `@alice`) or a team
 * (`org/team-slug`). An empty or absent list allows any signed-in user — but only a ladder.yaml
 * that validates says so: an invalid one refuses every promotion, rollback, lock and unlock.
 */
import { environmentNames, environmentPolicies, type LadderConfig } from "../gitops/ladder-config";
import { ladderYamlRefusal, policyConfig, viewersConfig } from "../gitops/ladder-yaml-status";
import type { ScanResult } from "../gitops/types";
import type { Actor } from "./actor";
import type { PermissionAction } from "./errors";
import { matchList, type TeamMembership, unreadableNote } from "./membership";

export interface PermissionRules {
  /** "none": the repository has no ladder.yaml, so every list is empty. "invalid": it does not validate. */
  source: "ladder.yaml" | "none" | "invalid";
  viewers: string[];
  environments: Map<string, { promoters: string[]; lockers: string[] }>;
  /** While ladder.yaml is invalid: the refusal every state-changing action gets. */
  refusal?: string;
}

export type Decision = { allowed: true; rule: string; reason: string } | { allowed: false; rule: string; reason: string };

export function rulesFromConfig(config: LadderConfig | undefined): PermissionRules {
  if (!config) return { source: "none", viewers: [], environments: new Map() };
  const environments = new Map(environmentPolicies(config).map((p) => [p.name, { promoters: p.promoters, lockers: p.lockers }]));
  // Keep ladder order even for names environmentPolicies might normalise.
  for (const name of environmentNames(config))
    if (!environments.has(name)) environments.set(name, { promoters: [], lockers: [] });
  return { source: "ladder.yaml", viewers: config.viewers ?? [], environments };
}

/**
 * The rules of one scanned commit. For an invalid ladder.yaml the viewers of the last valid one
 * still apply (a typo must not widen who may look) and everything else is refused.
 */
export function rulesFromScan(scan: ScanResult): PermissionRules {
  const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
  if (refusal === undefined) return rulesFromConfig(policyConfig(scan));
  return { source: "invalid", viewers: viewersConfig(scan)?.viewers ?? [], environments: new Map(), refusal };
}

const shown = (list: readonly string[]) => `[${list.join(", ")}]`;

/** The decision for one action, naming the rule that allowed or refused it. */
export async function decide(
  actor: Actor,
  action: PermissionAction,
  scope: { env?: string },
  rules: PermissionRules,
  teamMembership: TeamMembership | undefined,
): Promise<Decision> {
  if (rules.viewers.length > 0) {
    const viewer = await matchList(actor.login, rules.viewers, teamMembership);
    if (!viewer.member)
      return {
        allowed: false,
        rule: "viewers",
        reason: `viewers are ${shown(rules.viewers)}; ${actor.login} is not one of them${unreadableNote(viewer)}`,
      };
  }
  if (action === "view") {
    return {
      allowed: true,
      rule: "viewers",
      reason: rules.viewers.length > 0 ? `${actor.login} is a viewer` : "no viewers configured: any signed-in user may view",
    };
  }
  if (rules.refusal !== undefined) return { allowed: false, rule: "ladder.yaml", reason: rules.refusal };
  const env = scope.env;
  const listName = action === "promote" ? "promoters" : "lockers";
  const verb = action === "promote" ? "promote to" : "lock";
  if (env === undefined) return { allowed: false, rule: listName, reason: `${action} needs an environment` };
  const policy = rules.environments.get(env);
  if (!policy) {
    if (rules.source !== "none")
      return { allowed: false, rule: "environments", reason: `${env} is not an environment in ladder.yaml` };
    return { allowed: true, rule: `${env} ${listName}`, reason: `no ladder.yaml: any signed-in user may ${verb} ${env}` };
  }
  const list = policy[listName];
  const rule = `${env} ${listName}`;
  if (list.length === 0)
    return { allowed: true, rule, reason: `no ${listName} configured for ${env}: any signed-in user may ${verb} it` };
  const match = await matchList(actor.login, list, teamMembership);
  if (match.member)
    return {
      allowed: true,
      rule,
      reason:
        match.via === "team" ? `${actor.login} is in ${match.entry}, one of the ${rule}` : `${actor.login} is one of the ${rule}`,
    };
  return {
    allowed: false,
    rule,
    reason: `${env} ${listName} are ${shown(list)}; ${actor.login} is not one of them${unreadableNote(match)}`,
  };
}
