/**
 * `org/team` membership, read with Ladder's GitHub credentials (the App needs the
 * "Members: read" organisation permission; a token needs read:org) and cached: a yes for
 * five minutes, a no for one, so a fresh team member waits at most a minute.
 */
import type { GitHubClient } from "../github/client";
import { isRequestError } from "../github/errors";
import { parseTeam } from "./permissions";

export interface MembershipCacheOptions {
  client: () => GitHubClient;
  memberTtlMs?: number;
  nonMemberTtlMs?: number;
  now?: () => number;
}

export type TeamMembershipLookup = ((login: string, team: string) => Promise<boolean>) & { clear(): void };

/** A cached membership lookup over one GitHub client. */
export function createTeamMembership(options: MembershipCacheOptions): TeamMembershipLookup {
  const memberTtl = options.memberTtlMs ?? 5 * 60_000;
  const nonMemberTtl = options.nonMemberTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { until: number; value: Promise<boolean> }>();

  const lookup = async (login: string, team: string): Promise<boolean> => {
    const parsed = parseTeam(team);
    if (!parsed) return false;
    const key = `${parsed.org}/${parsed.slug}|${login}`.toLowerCase();
    const hit = cache.get(key);
    if (hit && hit.until > now()) return await hit.value;
    const value = (async () => {
      try {
        const { data } = await options.client().octokit.rest.teams.getMembershipForUserInOrg({
          org: parsed.org,
          team_slug: parsed.slug,
          username: login,
        });
        // "pending" is an invitation not yet accepted: not a member.
        return data.state === "active";
      } catch (error) {
        if (isRequestError(error) && error.status === 404) return false;
        throw error;
      }
    })();
    cache.set(key, { until: now() + memberTtl, value });
    try {
      const member = await value;
      cache.set(key, { until: now() + (member ? memberTtl : nonMemberTtl), value });
      return member;
    } catch (error) {
      // Errors are not cached: the next question asks GitHub again.
      cache.delete(key);
      throw error;
    }
  };
  return Object.assign(lookup, { clear: () => cache.clear() });
}
