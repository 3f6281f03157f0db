/**
 * Builders for the JSON GitHub returns about what gates a merge — reviews, commit statuses and
 * their combined state, check runs and suites, branch protection — shaped to satisfy the
 * OpenAPI schemas, as github-objects.ts does for the rest.
 */
import type { CommitInfo } from "./git-store";
import { iso, nodeId, type RepoIdentity, simpleUser, stableId, type Urls } from "./github-objects";
import type { BranchProtection, CheckRunRecord, CheckSuiteRecord, ReviewRecord, StatusRecord, suiteResult } from "./merge-gates";

const api = (urls: Urls, repo: RepoIdentity) => `${urls.api}/repos/${repo.owner}/${repo.name}`;

export function reviewJson(urls: Urls, repo: RepoIdentity, r: ReviewRecord): Record<string, unknown> {
  const html = `${urls.web}/${repo.owner}/${repo.name}/pull/${r.pullNumber}#pullrequestreview-${r.id}`;
  const pull = `${api(urls, repo)}/pulls/${r.pullNumber}`;
  return {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: simpleUser(urls, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: pull,
    _links: { html: { href: html }, pull_request: { href: pull } },
    ...(r.submittedAt ? { submitted_at: r.submittedAt } : {}),
    commit_id: r.commitId,
    author_association: "MEMBER",
  };
}

export function statusJson(urls: Urls, repo: RepoIdentity, st: StatusRecord): Record<string, unknown> {
  return {
    url: `${api(urls, repo)}/statuses/${st.sha}`,
    avatar_url: `${urls.web}/avatars/${st.creator}`,
    id: st.id,
    node_id: nodeId("StatusContext", st.id),
    state: st.state,
    description: st.description,
    target_url: st.targetUrl,
    context: st.context,
    created_at: st.createdAt,
    updated_at: st.updatedAt,
  };
}

/** `combined-commit-status`: failure if any is error or failure, pending if any is pending (or none exist). */
export function combinedStatusJson(
  urls: Urls,
  repo: RepoIdentity,
  repository: Record<string, unknown>,
  sha: string,
  statuses: readonly StatusRecord[],
): Record<string, unknown> {
  const state = statuses.some((s) => s.state === "error" || s.state === "failure")
    ? "failure"
    : statuses.length === 0 || statuses.some((s) => s.state === "pending")
      ? "pending"
      : "success";
  return {
    state,
    statuses: statuses.map((st) => statusJson(urls, repo, st)),
    sha,
    total_count: statuses.length,
    repository,
    commit_url: `${api(urls, repo)}/commits/${sha}`,
    url: `${api(urls, repo)}/commits/${sha}/status`,
  };
}

/** The one GitHub App the stand-in's check runs come from. */
export function checksApp(urls: Urls): Record<string, unknown> {
  const slug = "stand-in-ci";
  return {
    id: stableId(`app:${slug}`),
    slug,
    node_id: nodeId("App", slug),
    owner: simpleUser(urls, "stand-in", "Organization"),
    name: "Stand-in CI",
    description: "Check runs reported to Ladder's GitHub stand-in",
    external_url: `${urls.web}/apps/${slug}`,
    html_url: `${urls.web}/apps/${slug}`,
    created_at: "2020-01-01T00:00:00Z",
    updated_at: "2020-01-01T00:00:00Z",
    permissions: { checks: "write", metadata: "read" },
    events: [],
  };
}

export interface PullRef {
  number: number;
  id: number;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
}

/** The short pull request form check runs and suites carry (`pull-request-minimal`). */
export function minimalPull(urls: Urls, repo: RepoIdentity, pr: PullRef): Record<string, unknown> {
  const repoRef = { id: repo.id, url: api(urls, repo), name: repo.name };
  return {
    id: pr.id,
    number: pr.number,
    url: `${api(urls, repo)}/pulls/${pr.number}`,
    head: { ref: pr.head, sha: pr.headSha, repo: repoRef },
    base: { ref: pr.base, sha: pr.baseSha, repo: repoRef },
  };
}

export function checkRunJson(
  urls: Urls,
  repo: RepoIdentity,
  run: CheckRunRecord,
  pulls: readonly PullRef[],
): Record<string, unknown> {
  const url = `${api(urls, repo)}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.sha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId,
    url,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: 0, annotations_url: `${url}/annotations` },
    name: run.name,
    check_suite: { id: run.suiteId },
    app: checksApp(urls),
    pull_requests: pulls.map((p) => minimalPull(urls, repo, p)),
  };
}

/** The short commit form check suites carry (`simple-commit`). */
export function headCommitJson(c: CommitInfo): Record<string, unknown> {
  return {
    id: c.sha,
    tree_id: c.tree,
    message: c.message.replace(/\n$/, ""),
    timestamp: iso(c.committer.time),
    author: { name: c.author.name, email: c.author.email },
    committer: { name: c.committer.name, email: c.committer.email },
  };
}

export function checkSuiteJson(
  urls: Urls,
  repo: RepoIdentity,
  repository: Record<string, unknown>,
  suite: CheckSuiteRecord,
  result: ReturnType<typeof suiteResult>,
  runCount: number,
  headCommit: Record<string, unknown>,
  pulls: readonly PullRef[],
): Record<string, unknown> {
  return {
    id: suite.id,
    node_id: nodeId("CheckSuite", suite.id),
    head_branch: suite.headBranch,
    head_sha: suite.sha,
    status: result.status,
    conclusion: result.conclusion,
    url: `${api(urls, repo)}/check-suites/${suite.id}`,
    before: null,
    after: suite.sha,
    pull_requests: pulls.map((p) => minimalPull(urls, repo, p)),
    app: checksApp(urls),
    repository,
    created_at: suite.createdAt,
    updated_at: suite.updatedAt,
    head_commit: headCommit,
    latest_check_runs_count: runCount,
    check_runs_url: `${api(urls, repo)}/check-suites/${suite.id}/check-runs`,
    rerequestable: true,
    runs_rerequestable: true,
  };
}

/** `branch-protection` as GET …/branches/{branch}/protection answers it. */
export function protectionJson(urls: Urls, repo: RepoIdentity, branch: string, rule: BranchProtection): Record<string, unknown> {
  const url = `${api(urls, repo)}/branches/${encodeURIComponent(branch)}/protection`;
  const off = { enabled: false };
  return {
    url,
    enabled: true,
    name: branch,
    protection_url: url,
    ...(rule.requiredChecks === null
      ? {}
      : {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            enforcement_level: "non_admins",
            strict: rule.strict,
            contexts: rule.requiredChecks,
            contexts_url: `${url}/required_status_checks/contexts`,
            checks: rule.requiredChecks.map((context) => ({ context, app_id: null })),
          },
        }),
    ...(rule.requiredApprovingReviews === null
      ? {}
      : {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: false,
            require_code_owner_reviews: false,
            required_approving_review_count: rule.requiredApprovingReviews,
            require_last_push_approval: false,
          },
        }),
    enforce_admins: { url: `${url}/enforce_admins`, enabled: false },
    required_linear_history: off,
    allow_force_pushes: off,
    allow_deletions: off,
    block_creations: off,
    required_conversation_resolution: off,
    lock_branch: off,
    allow_fork_syncing: off,
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
  };
}
