/**
 * Builders for the JSON objects GitHub returns, shaped to satisfy the OpenAPI schemas
 * (which require many hypermedia fields Ladder never reads). Values that matter — SHAs,
 * refs, states, dates — come from git and the server's state; the rest is derived from names.
 */
import { createHash } from "node:crypto";
import type { CommitInfo, TreeEntry } from "./git-store";

export interface Urls {
  /** e.g. http://127.0.0.1:4010 */
  web: string;
  /** e.g. http://127.0.0.1:4010/api/v3 */
  api: string;
}

export interface RepoIdentity {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  createdAt: string;
}

export function nodeId(kind: string, key: string | number): string {
  return Buffer.from(`${kind}:${key}`).toString("base64").replace(/=+$/, "");
}

export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Stable positive id from a name, so users and repos keep ids across restarts. */
export function stableId(name: string): number {
  return createHash("sha1").update(name).digest().readUInt32BE(0) % 100_000_000 || 1;
}

export function simpleUser(urls: Urls, login: string, type: "User" | "Bot" | "Organization" = "User"): Record<string, unknown> {
  const api = `${urls.api}/users/${login}`;
  return {
    login,
    id: stableId(`user:${login}`),
    node_id: nodeId("User", login),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: "",
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
    user_view_type: "public",
  };
}

/** Satisfies `repository`, `full-repository` and `repository-webhooks` at once. */
export function repository(urls: Urls, repo: RepoIdentity, openIssues: number, pushedAt: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  const templated: Record<string, string> = {
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
  };
  return {
    id: repo.id,
    node_id: nodeId("Repository", fullName),
    name: repo.name,
    full_name: fullName,
    owner: simpleUser(urls, repo.owner, "Organization"),
    private: true,
    html_url: `${urls.web}/${fullName}`,
    description: "GitOps repository served by Ladder's GitHub-compatible test server",
    fork: false,
    url: api,
    ...templated,
    clone_url: `${urls.web}/${fullName}.git`,
    git_url: `${urls.web.replace(/^http/, "git")}/${fullName}.git`,
    ssh_url: `git@localhost:${fullName}.git`,
    svn_url: `${urls.web}/${fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "private",
    pushed_at: pushedAt,
    created_at: repo.createdAt,
    updated_at: pushedAt,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: false,
    delete_branch_on_merge: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function gitUser(identity: { name: string; email: string; time: number }): Record<string, unknown> {
  return { name: identity.name, email: identity.email, date: iso(identity.time) };
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

export function gitCommit(urls: Urls, repo: RepoIdentity, c: CommitInfo): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    url: `${api}/git/commits/${c.sha}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${c.sha}`,
    author: gitUser(c.author),
    committer: gitUser(c.committer),
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    message: c.message.replace(/\n$/, ""),
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/git/commits/${p}`,
      html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${p}`,
    })),
    verification: UNSIGNED,
  };
}

/** The `commit` schema used by repos.listCommits. */
export function restCommit(urls: Urls, repo: RepoIdentity, c: CommitInfo): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const html = `${urls.web}/${repo.owner}/${repo.name}/commit/${c.sha}`;
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    html_url: html,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: gitUser(c.author),
      committer: gitUser(c.committer),
      message: c.message.replace(/\n$/, ""),
      comment_count: 0,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      verification: UNSIGNED,
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${p}`,
    })),
  };
}

export function gitRef(urls: Urls, repo: RepoIdentity, fullRef: string, sha: string): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    ref: fullRef,
    node_id: nodeId("Ref", fullRef),
    url: `${api}/git/${fullRef}`,
    object: { type: "commit", sha, url: `${api}/git/commits/${sha}` },
  };
}

export function gitTree(
  urls: Urls,
  repo: RepoIdentity,
  sha: string,
  entries: readonly TreeEntry[],
  truncated: boolean,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.size === undefined ? {} : { size: e.size }),
      url: e.type === "blob" ? `${api}/git/blobs/${e.sha}` : `${api}/git/trees/${e.sha}`,
    })),
    truncated,
  };
}

/** Base64 wrapped at 60 columns, as GitHub sends blob content. */
export function base64Lines(content: Buffer): string {
  const flat = content.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 60) lines.push(flat.slice(i, i + 60));
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

export interface PullRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  user: string;
  comments: number;
  draft: boolean;
  maintainerCanModify: boolean;
}

export function pullRequest(
  urls: Urls,
  repo: RepoIdentity,
  pr: PullRecord,
  openIssues: number,
  pushedAt: string,
  full: boolean,
  /** Computed by merge-gates.ts for GET pull; otherwise an open pull request reads as clean. */
  gate?: { mergeable: boolean | null; state: string },
): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  const html = `${urls.web}/${fullName}/pull/${pr.number}`;
  const repoObject = repository(urls, repo, openIssues, pushedAt);
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: simpleUser(urls, repo.owner, "Organization"),
    repo: repoObject,
  });
  const base: Record<string, unknown> = {
    url: `${api}/pulls/${pr.number}`,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: simpleUser(urls, pr.user),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.head, pr.headSha),
    base: side(pr.base, pr.baseSha),
    _links: {
      self: { href: `${api}/pulls/${pr.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${pr.number}` },
      comments: { href: `${api}/issues/${pr.number}/comments` },
      review_comments: { href: `${api}/pulls/${pr.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pr.number}/commits` },
      statuses: { href: `${api}/statuses/${pr.headSha}` },
    },
    author_association: "MEMBER",
    auto_merge: null,
    draft: pr.draft,
  };
  if (!full) return base;
  return {
    ...base,
    merged: pr.merged,
    mergeable: gate ? gate.mergeable : pr.state === "open" ? true : null,
    rebaseable: false,
    mergeable_state: gate ? gate.state : pr.state === "open" ? "clean" : "unknown",
    merged_by: pr.merged ? simpleUser(urls, pr.user) : null,
    comments: pr.comments,
    review_comments: 0,
    maintainer_can_modify: pr.maintainerCanModify,
    commits: 1,
    additions: 1,
    deletions: 1,
    changed_files: 1,
  };
}

export function issueComment(
  urls: Urls,
  repo: RepoIdentity,
  issue: number,
  id: number,
  body: string,
  user: string,
  at: string,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id,
    node_id: nodeId("IssueComment", id),
    url: `${api}/issues/comments/${id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/pull/${issue}#issuecomment-${id}`,
    issue_url: `${api}/issues/${issue}`,
    body,
    user: simpleUser(urls, user),
    created_at: at,
    updated_at: at,
    author_association: "MEMBER",
  };
}

export function contentEntry(
  urls: Urls,
  repo: RepoIdentity,
  ref: string,
  entry: TreeEntry,
  name: string,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : "file";
  const self = `${api}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const git = entry.type === "tree" ? `${api}/git/trees/${entry.sha}` : `${api}/git/blobs/${entry.sha}`;
  const html = `${urls.web}/${repo.owner}/${repo.name}/${entry.type === "tree" ? "tree" : "blob"}/${ref}/${entry.path}`;
  return {
    type,
    size: entry.size ?? 0,
    name,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "file" ? `${urls.web}/raw/${repo.owner}/${repo.name}/${ref}/${entry.path}` : null,
    _links: { self, git, html },
  };
}

export function basicError(urls: Urls, message: string, status: number): Record<string, unknown> {
  return { message, documentation_url: `${urls.web}/docs/rest`, status: String(status) };
}
