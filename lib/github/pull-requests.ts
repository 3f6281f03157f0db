/**
 * Pull request tracking: state, lookup by branch, listing Ladder's promotion PRs, closing with a
 * comment, branch deletion.
 */
import type { GitHubClient } from "./client";
import { type ErrorContext, isRequestError, toGitHubError } from "./errors";
import type { RepoRef } from "./github-reader";
import { isPromotionBranchName } from "./promotion-pr-text";

export type PullRequestState = "open" | "merged" | "closed";

export interface PullRequestSummary {
  number: number;
  url: string;
  title: string;
  state: PullRequestState;
  branch: string;
  baseBranch: string;
  headSha: string;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  closedAt: string | null;
}

interface PullLike {
  number: number;
  html_url: string;
  title: string;
  state: string;
  merged_at: string | null;
  closed_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
}

export function summarisePull(pr: PullLike): PullRequestSummary {
  const state: PullRequestState = pr.merged_at ? "merged" : pr.state === "open" ? "open" : "closed";
  return {
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    state,
    branch: pr.head.ref,
    baseBranch: pr.base.ref,
    headSha: pr.head.sha,
    // GitHub fills merge_commit_sha with a test merge while open; it means something only once merged.
    mergeCommitSha: pr.merged_at ? pr.merge_commit_sha : null,
    mergedAt: pr.merged_at,
    closedAt: pr.closed_at,
  };
}

function context(client: GitHubClient, repo: RepoRef): ErrorContext {
  return { repository: `${repo.owner}/${repo.repo}`, baseUrl: client.baseUrl };
}

export async function getPullRequest(client: GitHubClient, repo: RepoRef, number: number): Promise<PullRequestSummary> {
  try {
    const { data } = await client.octokit.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
    return summarisePull(data);
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}

/** The newest PR whose head is `branch` in this repository (open ones first), if any. */
export async function findPullRequestByBranch(
  client: GitHubClient,
  repo: RepoRef,
  branch: string,
  options: { state?: "open" | "all" } = {},
): Promise<PullRequestSummary | undefined> {
  try {
    const { data } = await client.octokit.pulls.list({
      owner: repo.owner,
      repo: repo.repo,
      head: `${repo.owner}:${branch}`,
      state: options.state ?? "all",
      per_page: 10,
    });
    const pulls = data.map(summarisePull);
    return pulls.find((p) => p.state === "open") ?? pulls.find((p) => p.state === "merged") ?? pulls[0];
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}

export interface PromotionPullRequest extends PullRequestSummary {
  body: string;
}

/**
 * Every pull request, in any state, whose head is a promotion branch of this repository itself,
 * newest first. A fork's branch may carry the same name, but it is not a promotion Ladder opened.
 */
export async function listPromotionPullRequests(
  client: GitHubClient,
  repo: RepoRef,
  options: { perPage?: number } = {},
): Promise<PromotionPullRequest[]> {
  const perPage = options.perPage ?? 100;
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  const out: PromotionPullRequest[] = [];
  // A PR opened while paging pushes older ones down a page: seen twice, never skipped.
  const seen = new Set<number>();
  try {
    for (let page = 1; ; page++) {
      const { data } = await client.octokit.pulls.list({
        owner: repo.owner,
        repo: repo.repo,
        state: "all",
        sort: "created",
        direction: "desc",
        per_page: perPage,
        page,
      });
      for (const pr of data) {
        if (seen.has(pr.number)) continue;
        seen.add(pr.number);
        if (!isPromotionBranchName(pr.head.ref) || pr.head.repo?.full_name.toLowerCase() !== fullName) continue;
        out.push({ ...summarisePull(pr), body: pr.body ?? "" });
      }
      // Page by count rather than the Link header: a short page is the last one either way.
      if (data.length < perPage) return out;
    }
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}

/** Deletes a branch; false when it was already gone. Never touches other refs. */
export async function deleteBranch(client: GitHubClient, repo: RepoRef, branch: string): Promise<boolean> {
  try {
    await client.octokit.git.deleteRef({ owner: repo.owner, repo: repo.repo, ref: `heads/${branch}` });
    return true;
  } catch (error) {
    if (isRequestError(error) && (error.status === 422 || error.status === 404)) return false;
    throw toGitHubError(error, context(client, repo));
  }
}

/** Closes an open PR, leaving `comment` first (why it was closed), and optionally deletes its branch. */
export async function closePullRequest(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  options: { comment?: string; deleteBranch?: boolean } = {},
): Promise<PullRequestSummary> {
  try {
    if (options.comment)
      await client.octokit.issues.createComment({
        owner: repo.owner,
        repo: repo.repo,
        issue_number: number,
        body: options.comment,
      });
    const { data } = await client.octokit.pulls.update({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: number,
      state: "closed",
    });
    const summary = summarisePull(data);
    if (options.deleteBranch) await deleteBranch(client, repo, summary.branch);
    return summary;
  } catch (error) {
    throw toGitHubError(error, context(client, repo));
  }
}
