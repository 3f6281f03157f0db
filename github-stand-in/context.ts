/**
 * What every part of the stand-in shares: the repository it serves, its git store and validator,
 * and the state the control API reads and resets. One object, built by `startGitHubServer`,
 * handed to each group of endpoints.
 */
import type { FaultInjector } from "./faults";
import type { GitStore } from "./git-store";
import { iso, type PullRecord, pullRequest, type RepoIdentity, repository, type Urls } from "./github-objects";
import { notFound, type RateLimit, type Send } from "./http";
import type { Mergeability, MergeGateState } from "./merge-gates";
import type { OAuthProvider } from "./oauth";
import type { OpenApiValidator, Violation } from "./openapi-validator";
import type { PullState } from "./pulls";
import type { WebhookState } from "./webhooks";

export interface StandIn {
  readonly owner: string;
  readonly repoName: string;
  readonly defaultBranch: string;
  /** Login reported as the author of pull requests, comments and pushes. */
  readonly actor: string;
  /** Schema violations answer 500 instead of only being recorded. */
  readonly strict: boolean;
  readonly identity: RepoIdentity;
  readonly store: GitStore;
  readonly validator: OpenApiValidator;
  readonly oauth: OAuthProvider;
  readonly faults: FaultInjector;
  readonly pulls: PullState;
  /** Reviews, commit statuses, check runs and suites, branch protection. */
  readonly gates: MergeGateState;
  readonly webhooks: WebhookState;
  readonly rate: RateLimit;
  readonly send: Send;
  /** Accepted tokens: the configured ones and every installation token minted since. */
  readonly tokens: Set<string>;
  readonly installations: ReadonlyArray<{ id: number; repositories: readonly string[] }>;
  /** Known once the server listens on its port. */
  urls: Urls;
  /** Reported as the repository's `pushed_at`. */
  pushedAt: string;
  treeEntryLimit: number;
  /** Requests per operationId since the last reset. */
  counters: Record<string, number>;
  violations: Violation[];
}

export const now = () => iso(Math.floor(Date.now() / 1000));

export const repoJson = (s: StandIn) => repository(s.urls, s.identity, s.pulls.openCount(), s.pushedAt);

export const prJson = (s: StandIn, pr: PullRecord, full: boolean, gate?: Mergeability) =>
  pullRequest(s.urls, s.identity, pr, s.pulls.openCount(), s.pushedAt, full, gate);

/** Every repository endpoint answers 404 for another owner/name, as GitHub does for a repo you cannot see. */
export function checkRepo(s: StandIn, params: Record<string, string>): void {
  if (params.owner?.toLowerCase() !== s.owner.toLowerCase() || params.repo?.toLowerCase() !== s.repoName.toLowerCase())
    throw notFound();
}
