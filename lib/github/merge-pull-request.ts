/**
 * Merging a pull request the way a reviewer's merge button does, and nothing more: `PUT …/merge`
 * with the head SHA Ladder checked, so a push since then makes GitHub refuse (409), and never
 * with an admin override, so branch protection still decides (405). A refusal is an answer, not
 * an error: the caller records it. No retries: a refused merge asked again at once is refused again.
 */
import type { GitHubClient } from "./client";
import { isRequestError, toGitHubError } from "./errors";
import type { RepoRef } from "./github-reader";

export type MergeOutcome =
  | { merged: true; sha: string }
  | {
      merged: false;
      /** 405: not mergeable (protection, conflicts) · 409: the head moved · 422: invalid. */
      status: number;
      message: string;
    };

export async function mergePullRequest(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  options: { sha: string; commitTitle?: string },
): Promise<MergeOutcome> {
  try {
    const { data } = await client.octokit.pulls.merge({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: number,
      sha: options.sha,
      ...(options.commitTitle ? { commit_title: options.commitTitle } : {}),
      // plugin-retry retries 405 and 409 by default; those are GitHub's answer here.
      request: { retries: 0 },
    });
    return { merged: true, sha: data.sha };
  } catch (error) {
    if (isRequestError(error) && (error.status === 405 || error.status === 409 || error.status === 422)) {
      const message = (error.response?.data as { message?: unknown } | undefined)?.message;
      return { merged: false, status: error.status, message: typeof message === "string" ? message : error.message };
    }
    throw toGitHubError(error, { repository: `${repo.owner}/${repo.repo}`, baseUrl: client.baseUrl });
  }
}
