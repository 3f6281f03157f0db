/**
 * "Is this person in this list?" — the one answer every permission uses: viewers, promoters and
 * lockers alike. An entry is a GitHub login (`alice`, `@alice`, any case) or a team
 * (`org/team-slug`), asked of GitHub through `TeamMembership`. A membership that cannot be read
 * counts as "no" (fail closed), and the answer says why, so a refusal can tell the user.
 */

/** Is `login` an active member of `team` ("org/team-slug")? May throw TeamMembershipUnreadableError. */
export type TeamMembership = (login: string, team: string) => Promise<boolean>;

const TEAM = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** "org/team" → parts; undefined for a login or anything malformed. */
export function parseTeam(entry: string): { org: string; slug: string } | undefined {
  const m = TEAM.exec(entry.trim());
  return m?.[1] && m[2] ? { org: m[1], slug: m[2] } : undefined;
}

/** GitHub would not tell Ladder who is in a team: the credentials lack the permission to ask. */
export class TeamMembershipUnreadableError extends Error {
  constructor(
    readonly org: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TeamMembershipUnreadableError";
  }
}

export type ListMatch =
  | { member: true; entry: string; via: "login" | "team" }
  /** `unreadable`: why a listed team could not be checked (already part of the "no"). */
  | { member: false; unreadable: readonly string[] };

/** True-or-why: is `login` named in `list`, directly or through a team? */
export async function matchList(
  login: string,
  list: readonly string[],
  isTeamMember: TeamMembership | undefined,
): Promise<ListMatch> {
  const wanted = login.toLowerCase();
  const direct = list.find((entry) => !entry.includes("/") && entry.trim().replace(/^@/, "").toLowerCase() === wanted);
  if (direct) return { member: true, entry: direct, via: "login" };
  const unreadable: string[] = [];
  for (const entry of list) {
    if (!parseTeam(entry)) continue;
    if (!isTeamMember) {
      unreadable.push(`Ladder has no way to read team membership here, so ${entry} counts as not including ${login}`);
      continue;
    }
    try {
      if (await isTeamMember(login, entry.trim())) return { member: true, entry, via: "team" };
    } catch (error) {
      // Fail closed: an unanswerable membership question is not a yes.
      console.error(`team membership of ${login} in ${entry} could not be read`, error);
      unreadable.push(
        error instanceof TeamMembershipUnreadableError
          ? error.message
          : `team membership of ${entry} could not be read (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  return { member: false, unreadable: [...new Set(unreadable)] };
}

/** The refusal's tail: why team entries did not help, or nothing. */
export function unreadableNote(match: ListMatch): string {
  return !match.member && match.unreadable.length > 0 ? ` (${match.unreadable.join("; ")})` : "";
}
