/**
 * Opens the pull request for one promotion (or a bundle: one commit touching each app's file),
 * safely under double clicks and several replicas.
 *
 * Request plan (measured by bench/github.ts): getRef(base) · [getContent when the base moved] ·
 * createTree (inline content on the seen tree) · createCommit · createRef · pulls.create
 * = 5, or 6 when the base moved. The Contents API would be one request fewer (createRef at the
 * seen head, then PUT contents) but publishes an empty branch first: a concurrent attempt that
 * collides on it could try to open a PR with no commits. With the Git Data API the branch only
 * ever appears pointing at the finished commit, so the collision is the lock.
 */
import type { GitHubClient } from "./client";
import { type ErrorContext, isRequestError, StaleViewError, toGitHubError } from "./errors";
import type { RepoRef } from "./github-reader";
import { branchOf, type PromotionDescription, promotionBody, promotionCommitMessage, promotionTitle } from "./promotion-pr-text";
import { deleteBranch, findPullRequestByBranch, type PullRequestSummary, summarisePull } from "./pull-requests";
import { defaultWriteQueue, type WriteQueue } from "./write-queue";

export interface OpenPromotionPrInput extends RepoRef, PromotionDescription {
  client: GitHubClient;
  /** Branch the PR targets (the GitOps repo's deploy branch). */
  baseBranch: string;
  /** What the user looked at: the commit, and (from the snapshot) its root tree. */
  seen: { commit: string; treeSha?: string };
  /**
   * The files the commit writes (one per change): the new content, and the blob SHA in the user's
   * view — a different SHA at the current head means stale.
   */
  files: readonly { path: string; content: string; expectedBlobSha: string }[];
  queue?: WriteQueue;
}

export interface PromotionPr extends PullRequestSummary {
  /** False when an earlier attempt (double click, another replica) had already opened it. */
  created: boolean;
}

function isAlreadyExists(error: unknown, pattern: RegExp): boolean {
  if (!isRequestError(error) || error.status !== 422) return false;
  return pattern.test(JSON.stringify(error.response?.data ?? {}));
}

export async function openPromotionPr(input: OpenPromotionPrInput): Promise<PromotionPr> {
  const { client, owner, repo } = input;
  const queue = input.queue ?? defaultWriteQueue;
  return await queue.run(`${client.baseUrl}|${owner}/${repo}`, () => openUnqueued(input, client, { owner, repo }));
}

async function openUnqueued(input: OpenPromotionPrInput, client: GitHubClient, repoRef: RepoRef): Promise<PromotionPr> {
  const git = client.octokit.git;
  const { owner, repo } = repoRef;
  const ctx: ErrorContext = { repository: `${owner}/${repo}`, baseUrl: client.baseUrl };
  const branch = branchOf(input);

  const step = async <T>(fn: () => Promise<T>, ref?: string): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toGitHubError(error, ref ? { ...ctx, ref } : ctx);
    }
  };

  // 1. Where the base is now; if it moved, is the target file still what the user saw?
  const head = await step(
    async () => (await git.getRef({ owner, repo, ref: `heads/${input.baseBranch}` })).data.object.sha,
    input.baseBranch,
  );
  if (head !== input.seen.commit) {
    for (const f of input.files) {
      const current = await currentBlobSha(client, repoRef, f.path, head, ctx);
      if (current !== f.expectedBlobSha) throw new StaleViewError(f.path, f.expectedBlobSha, current, head);
    }
  }

  // 2. The commit, built on the seen head so it contains exactly the reviewed change.
  const baseTree =
    input.seen.treeSha ??
    (await step(async () => (await git.getCommit({ owner, repo, commit_sha: input.seen.commit })).data.tree.sha));
  const tree = await step(
    async () =>
      (
        await git.createTree({
          owner,
          repo,
          base_tree: baseTree,
          tree: input.files.map((f) => ({ path: f.path, mode: "100644" as const, type: "blob" as const, content: f.content })),
        })
      ).data.sha,
  );
  const commit = await step(
    async () =>
      (await git.createCommit({ owner, repo, message: promotionCommitMessage(input), tree, parents: [input.seen.commit] })).data
        .sha,
  );

  // 3. Publish the branch. Never force: if it exists, that is the same promotion by definition.
  let createdBranch = false;
  try {
    await git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit });
    createdBranch = true;
  } catch (error) {
    if (!isAlreadyExists(error, /Reference already exists/i)) throw toGitHubError(error, ctx);
    const existing = await findPullRequestByBranch(client, repoRef, branch);
    if (existing && existing.state !== "closed") return { ...existing, created: false };
    // The branch exists without an open PR: an earlier attempt stopped between its steps. Finish it.
  }

  // 4. The pull request; "already exists" means a concurrent attempt won the race.
  try {
    const { data } = await client.octokit.pulls.create({
      owner,
      repo,
      head: branch,
      base: input.baseBranch,
      title: promotionTitle(input),
      body: promotionBody(input),
      maintainer_can_modify: false,
    });
    return { ...summarisePull(data), created: true };
  } catch (error) {
    if (isAlreadyExists(error, /A pull request already exists/i)) {
      const existing = await findPullRequestByBranch(client, repoRef, branch);
      if (existing) return { ...existing, created: false };
    }
    const typed = toGitHubError(error, ctx);
    // Leave no orphan: remove the branch this attempt created (only that one).
    if (createdBranch) {
      try {
        await deleteBranch(client, repoRef, branch);
      } catch (cleanupError) {
        console.error(`[github] could not delete branch ${branch} after a failed promotion`, cleanupError);
      }
    }
    throw typed;
  }
}

/** Blob SHA of `path` at `commit`, or undefined when the file is gone. */
async function currentBlobSha(
  client: GitHubClient,
  repo: RepoRef,
  path: string,
  commit: string,
  ctx: ErrorContext,
): Promise<string | undefined> {
  try {
    const { data } = await client.octokit.repos.getContent({ owner: repo.owner, repo: repo.repo, path, ref: commit });
    if (Array.isArray(data) || data.type !== "file") return undefined;
    return data.sha;
  } catch (error) {
    if (isRequestError(error) && error.status === 404) return undefined;
    throw toGitHubError(error, ctx);
  }
}
