/**
 * What stands between an open pull request and its merge, as GitHub reports it: the review
 * decision (approvals against the base branch's required count, changes requested), the required
 * checks (commit statuses by context and check runs by name, pending until reported) and GitHub's
 * own `mergeable` / `mergeable_state`. `readPullRequestStatus` makes the REST calls (reviews,
 * combined status, check runs, and the base branch's protection once per run);
 * `summarisePullRequestStatus` is the pure part that decides.
 */
import type { GitHubClient } from "./client";
import { type ErrorContext, isRequestError, toGitHubError } from "./errors";
import type { RepoRef } from "./github-reader";
import { type PullRequestSummary, summarisePull } from "./pull-requests";

export type CheckState = "pending" | "success" | "failure";

export interface CheckResult {
  name: string;
  state: CheckState;
  /** Named by the base branch's protection. */
  required: boolean;
}

/** GitHub's reviewDecision, in Ladder's words; "none" when no review is required and none was given. */
export type ReviewDecision = "approved" | "changes-requested" | "review-required" | "none";

export interface PullRequestStatus {
  number: number;
  /** The head the status was read for: a merge Ladder makes names it, so a later push is refused. */
  headSha: string;
  baseBranch: string;
  mergeable: boolean | null;
  /** GitHub's mergeable_state: clean, blocked, behind, dirty, unstable, draft, unknown, has_hooks. */
  mergeableState: string;
  reviews: {
    decision: ReviewDecision;
    approvals: number;
    /** required_approving_review_count; null when the protection says nothing (or could not be read). */
    required: number | null;
    approvedBy: string[];
    changesRequestedBy: string[];
  };
  checks: {
    /** Over the required checks when protection names any, else over every reported check; "none" without checks. */
    state: CheckState | "none";
    list: CheckResult[];
  };
  /** "unreadable": the token may not read branch protection (GitHub needs administration read for it). */
  protection: "read" | "none" | "unreadable";
  checkedAt: string;
}

/** Branch protection as far as the status goes. */
export interface ProtectionFacts {
  kind: "read" | "none" | "unreadable";
  requiredApprovals: number | null;
  requiredChecks: string[];
}

export interface RawReview {
  user: { login: string } | null;
  state: string;
}

export interface RawStatus {
  context: string;
  state: string;
}

export interface RawCheckRun {
  name: string;
  status: string;
  conclusion: string | null;
}

/** The pull request fields the status needs (a full `pulls.get` answer has them). */
export interface PullGate {
  number: number;
  headSha: string;
  baseBranch: string;
  mergeable: boolean | null;
  mergeableState: string;
}

const MAX_CHECKS = 50;

function statusState(state: string): CheckState {
  return state === "success" ? "success" : state === "pending" ? "pending" : "failure";
}

function runState(run: RawCheckRun): CheckState {
  if (run.status !== "completed") return "pending";
  return run.conclusion === "success" || run.conclusion === "neutral" || run.conclusion === "skipped" ? "success" : "failure";
}

function overall(states: readonly CheckState[]): CheckState | "none" {
  if (states.length === 0) return "none";
  if (states.includes("failure")) return "failure";
  if (states.includes("pending")) return "pending";
  return "success";
}

/** Decides the review and check status from what GitHub answered. Pure. */
export function summarisePullRequestStatus(input: {
  pull: PullGate;
  reviews: readonly RawReview[];
  statuses: readonly RawStatus[];
  checkRuns: readonly RawCheckRun[];
  protection: ProtectionFacts;
  checkedAt: Date;
}): PullRequestStatus {
  // Each reviewer's latest review that counts: a comment changes nothing, a dismissal clears.
  const latest = new Map<string, string>();
  for (const r of input.reviews) {
    if (!r.user || r.state === "COMMENTED" || r.state === "PENDING") continue;
    latest.set(r.user.login, r.state);
  }
  const approvedBy = [...latest].filter(([, s]) => s === "APPROVED").map(([login]) => login);
  const changesRequestedBy = [...latest].filter(([, s]) => s === "CHANGES_REQUESTED").map(([login]) => login);
  const required = input.protection.requiredApprovals;
  const decision: ReviewDecision =
    changesRequestedBy.length > 0
      ? "changes-requested"
      : required !== null && required > 0
        ? approvedBy.length >= required
          ? "approved"
          : "review-required"
        : approvedBy.length > 0
          ? "approved"
          : "none";

  const byName = new Map<string, CheckState>();
  for (const st of input.statuses) byName.set(st.context, statusState(st.state));
  for (const run of input.checkRuns) byName.set(run.name, runState(run));
  const requiredNames = new Set(input.protection.requiredChecks);
  // A required check nobody reported yet is pending: GitHub says it "is expected".
  for (const name of requiredNames) if (!byName.has(name)) byName.set(name, "pending");
  const list = [...byName]
    .map(([name, state]) => ({ name, state, required: requiredNames.has(name) }))
    .sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name))
    .slice(0, MAX_CHECKS);
  const counted = requiredNames.size > 0 ? [...requiredNames].map((n) => byName.get(n) ?? "pending") : [...byName.values()];

  return {
    number: input.pull.number,
    headSha: input.pull.headSha,
    baseBranch: input.pull.baseBranch,
    mergeable: input.pull.mergeable,
    mergeableState: input.pull.mergeableState,
    reviews: { decision, approvals: approvedBy.length, required, approvedBy, changesRequestedBy },
    checks: { state: overall(counted), list },
    protection: input.protection.kind,
    checkedAt: input.checkedAt.toISOString(),
  };
}

function context(client: GitHubClient, repo: RepoRef): ErrorContext {
  return { repository: `${repo.owner}/${repo.repo}`, baseUrl: client.baseUrl };
}

/** One `pulls.get`: the summary Ladder tracks state by, and the fields the status needs. */
export async function getPullRequestGate(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<{ summary: PullRequestSummary; gate: PullGate }> {
  try {
    const { data } = await client.octokit.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
    return {
      summary: summarisePull(data),
      gate: {
        number: data.number,
        headSha: data.head.sha,
        baseBranch: data.base.ref,
        mergeable: data.mergeable,
        mergeableState: data.mergeable_state,
      },
    };
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}

/** Branch protections read during one run, by branch: read once however many promotions target it. */
export type ProtectionCache = Map<string, Promise<ProtectionFacts>>;

async function readProtection(client: GitHubClient, repo: RepoRef, branch: string): Promise<ProtectionFacts> {
  try {
    const { data } = await client.octokit.repos.getBranchProtection({ owner: repo.owner, repo: repo.repo, branch });
    const checks = data.required_status_checks;
    return {
      kind: "read",
      requiredApprovals: data.required_pull_request_reviews?.required_approving_review_count ?? null,
      requiredChecks: [...new Set([...(checks?.contexts ?? []), ...(checks?.checks ?? []).map((c) => c.context)])],
    };
  } catch (error) {
    const message = isRequestError(error) ? String((error.response?.data as { message?: unknown })?.message ?? "") : "";
    if (isRequestError(error) && error.status === 404 && message === "Branch not protected")
      return { kind: "none", requiredApprovals: null, requiredChecks: [] };
    // Reading protection needs administration permission; without it the status is still useful.
    if (isRequestError(error) && (error.status === 403 || error.status === 404))
      return { kind: "unreadable", requiredApprovals: null, requiredChecks: [] };
    throw error;
  }
}

/**
 * Reads reviews, the combined status, check runs and (once per `protection` cache) the base
 * branch's protection for `pull`. Returns the status and how many requests it made.
 */
export async function readPullRequestStatus(
  client: GitHubClient,
  repo: RepoRef,
  pull: PullGate,
  options: { protection?: ProtectionCache; now?: Date } = {},
): Promise<{ status: PullRequestStatus; requests: number }> {
  const cache = options.protection ?? new Map();
  let requests = 3;
  try {
    let protection = cache.get(pull.baseBranch);
    if (!protection) {
      requests++;
      protection = readProtection(client, repo, pull.baseBranch);
      cache.set(pull.baseBranch, protection);
    }
    const owner = repo.owner;
    const name = repo.repo;
    const [reviews, combined, runs, facts] = await Promise.all([
      client.octokit.pulls.listReviews({ owner, repo: name, pull_number: pull.number, per_page: 100 }),
      client.octokit.repos.getCombinedStatusForRef({ owner, repo: name, ref: pull.headSha, per_page: 100 }),
      client.octokit.checks.listForRef({ owner, repo: name, ref: pull.headSha, per_page: 100 }),
      protection,
    ]);
    const status = summarisePullRequestStatus({
      pull,
      reviews: reviews.data,
      statuses: combined.data.statuses,
      checkRuns: runs.data.check_runs,
      protection: facts,
      checkedAt: options.now ?? new Date(),
    });
    return { status, requests };
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}
