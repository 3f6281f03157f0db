/**
 * What the promotion core needs from the process: the one database client, the GitOps
 * repository, the GitHub client that writes to it, and the team-membership check (GitHub's, in
 * the server). Server actions build it once with `promotionContextFromEnv()`; tests build it by hand.
 */

import type { Actor as SignedInPerson } from "../auth/actor";
import type { TeamMembership } from "../auth/membership";
import { type Db, db } from "../db/client";
import type { GitHubClient } from "../github/client";
import type { WriteQueue } from "../github/write-queue";
import { type RegistryReader, registryReader } from "../registry";
import { githubClientFromEnv, repositoryFromEnv } from "../repository-service/from-env";
import type { RepositoryService } from "../repository-service/repository-service";

/**
 * The person acting (lib/auth/actor.ts), of whom the promotion core reads the login alone: it is
 * what the audit trail and the commit trailer record.
 */
export type Actor = Pick<SignedInPerson, "login">;

export interface PromotionContext {
  db: Db;
  repo: RepositoryService;
  github: GitHubClient;
  /** Default: nobody is in any team, so only logins listed in `promoters` pass. */
  isTeamMember?: TeamMembership;
  now?: () => Date;
  /** Commits of path history examined for evidence (default 30, at most 100). */
  evidenceCommits?: number;
  /** GitHub write queue (default: the process-wide one). */
  queue?: WriteQueue;
  /** Public URL of Ladder, for links in PR comments. */
  publicUrl?: string;
  /** Registry evidence for the digest promoted (docs/registry.md); absent: none is gathered. */
  registry?: RegistryReader;
}

export function promotionContextFromEnv(overrides: Partial<PromotionContext> = {}): PromotionContext {
  return {
    db: db(),
    repo: repositoryFromEnv(),
    github: githubClientFromEnv(),
    registry: registryReader(),
    ...overrides,
  };
}

export function nowOf(ctx: { now?: () => Date }): Date {
  return ctx.now ? ctx.now() : new Date();
}
