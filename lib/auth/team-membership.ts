/**
 * `org/team` membership, read with Ladder's GitHub credentials (the App needs the
 * "Members: read" organisation permission; a token needs read:org) and cached: a yes for
 * five minutes, a no for one, so a fresh team member waits at most a minute. A 403 means the
 * credentials may not ask: that is a TeamMembershipUnreadableError saying what to grant, so the
 * refusal it causes can tell the user why (it still counts as "no").
 */
import type { GitHubClient } from "../github/client";
import { isRequestError } from "../github/errors";
import { parseTeam, type TeamMembership, TeamMembershipUnreadableError } from "./membership";

export interface MembershipCacheOptions {
  client: () => GitHubClient;
  /** What Ladder signs in to GitHub with, so a refusal can say what to grant. */
  credentials?: "app" | "token";
  memberTtlMs?: number;
  nonMemberTtlMs?: number;
  now?: () => number;
}

/** The membership check with its cache, which tests clear between cases. */
export type TeamMembershipLookup = TeamMembership & { clear(): void };

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
        if (isRequestError(error) && error.status === 403) {
          const grant =
            options.credentials === "token"
              ? "give its token the read:org scope"
              : "grant the GitHub App the organization permission Members: read";
          throw new TeamMembershipUnreadableError(parsed.org, `Ladder cannot read team membership of ${parsed.org}: ${grant}`, {
            cause: error,
          });
        }
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
