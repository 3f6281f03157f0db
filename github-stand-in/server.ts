/**
 * A GitHub-compatible HTTP server for tests and the demo: the REST endpoints Ladder calls, backed
 * by a real bare git repository, every request and response checked against GitHub's OpenAPI
 * description. Also: merging pull requests, signed webhooks, fault injection, request counters.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaultInjector, type FaultRule, type TerminalFault } from "./faults";
import { type CommitInfo, GitStore, type TreeEntry, ZERO_SHA } from "./git-store";
import {
  base64Lines,
  basicError,
  contentEntry,
  gitCommit,
  gitRef,
  gitTree,
  iso,
  issueComment,
  type PullRecord,
  pullRequest,
  type RepoIdentity,
  repository,
  restCommit,
  simpleUser,
  stableId,
  type Urls,
} from "./github-objects";
import { type OAuthOptions, OAuthProvider } from "./oauth";
import { OpenApiValidator, type Violation } from "./openapi-validator";
import { plainPage, pullRequestPage } from "./web-pages";

export interface StartGitHubServerOptions {
  /** A bare repository to serve (created when missing). Default: a fresh temp directory. */
  repoDir?: string;
  /** Files committed on the default branch at start (replacing its tree). */
  seed?: Readonly<Record<string, string>>;
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  port?: number;
  host?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Schema violations answer 500 (default true). */
  strict?: boolean;
  /** Accepted `Authorization: token|Bearer` values. Default ["test-token"]. */
  tokens?: readonly string[];
  /** GitHub App installations that can mint tokens (`POST /app/installations/{id}/access_tokens`). */
  installations?: ReadonlyArray<{ id: number; repositories: readonly string[] }>;
  /** GitHub truncates recursive trees at 100,000 entries; tests lower it. */
  treeEntryLimit?: number;
  /** Login reported as the author of pull requests and comments. */
  actor?: string;
  /** Sign-in: OAuth apps, users, and team memberships (see oauth.ts). */
  oauth?: OAuthOptions;
}

export interface WebhookDelivery {
  id: string;
  event: "pull_request" | "push";
  action?: string;
  payload: Record<string, unknown>;
  status?: number;
  error?: string;
}

export interface CommitOptions {
  branch?: string;
  message?: string;
  author?: { name: string; email: string };
  /** Commit time (for "since when" evidence). */
  date?: Date;
  /** Replace the whole tree with `files` instead of changing only them. */
  replaceAll?: boolean;
}

export interface GitHubServerControl {
  /** OAuth sign-in: who approves next, team memberships. */
  readonly oauth: OAuthProvider;
  readonly store: GitStore;
  readonly validator: OpenApiValidator;
  /** Commits files (null deletes) on a branch and delivers a push webhook; returns the commit SHA. */
  commit(files: Readonly<Record<string, string | null>>, options?: CommitOptions): Promise<string>;
  /** Replaces the default branch's tree with `files`. */
  seed(files: Readonly<Record<string, string>>, message?: string): Promise<string>;
  head(branch?: string): Promise<string | undefined>;
  branches(): Promise<string[]>;
  mergePullRequest(number: number, method?: "merge" | "squash"): Promise<string>;
  closePullRequest(number: number): Promise<void>;
  pullRequests(): readonly PullRecord[];
  comments(number: number): readonly string[];
  injectFault(rule: FaultRule): number;
  removeFault(id: number): void;
  clearFaults(): void;
  /** Requests per operationId since the last reset. */
  counters(): Record<string, number>;
  totalRequests(): number;
  resetCounters(): void;
  violations(): readonly Violation[];
  clearViolations(): void;
  deliveries(): readonly WebhookDelivery[];
  /** Resolves when every webhook delivery started so far has finished. */
  flushWebhooks(): Promise<void>;
  setWebhook(url: string | undefined, secret?: string): void;
  setTreeEntryLimit(limit: number): void;
  /** Clears faults, counters, violations and deliveries (not git or pull requests). */
  reset(): void;
}

export interface GitHubServer {
  /** Web origin, e.g. http://127.0.0.1:4010 */
  url: string;
  /** Octokit baseUrl as for GitHub Enterprise: `${url}/api/v3`. */
  apiBaseUrl: string;
  owner: string;
  repo: string;
  repoDir: string;
  control: GitHubServerControl;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
}

type Handler = (ctx: RequestContext) => Promise<HandlerResult>;

interface Route {
  method: string;
  operationId: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

function compileTemplate(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  // {ref} and {path} may contain slashes (encoded or not); every other parameter is one segment.
  // An empty content path (`/contents`, Octokit drops the trailing slash) lists the repository root.
  const source = template.replace("/{path}", "(?:/{path})?").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return name === "ref" || name === "path" ? "(.+)" : "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startGitHubServer(options: StartGitHubServerOptions = {}): Promise<GitHubServer> {
  const owner = options.owner ?? "acme";
  const repoName = options.repo ?? "gitops";
  const defaultBranch = options.defaultBranch ?? "main";
  const strict = options.strict ?? true;
  const actor = options.actor ?? "ladder-bot";
  const oauth = new OAuthProvider(options.oauth);
  const tokens = new Set(options.tokens ?? ["test-token"]);
  const installations = options.installations ?? [{ id: 1, repositories: [`${owner}/${repoName}`] }];
  const repoDir = options.repoDir ?? (await mkdtemp(join(tmpdir(), "ladder-gh-")));
  const store = await GitStore.init(repoDir, defaultBranch);
  const validator = new OpenApiValidator();
  const faults = new FaultInjector();

  let webhookUrl = options.webhookUrl;
  let webhookSecret = options.webhookSecret ?? "";
  let treeEntryLimit = options.treeEntryLimit ?? 100_000;
  let counters: Record<string, number> = {};
  let violations: Violation[] = [];
  let deliveries: WebhookDelivery[] = [];
  let pending = new Set<Promise<void>>();
  const pulls: PullRecord[] = [];
  const commentBodies = new Map<number, string[]>();
  let nextIssueNumber = 1;
  let nextCommentId = 1000;
  // Pull requests live beside the git repository, so a restarted demo still
  // knows the PRs its database points at.
  const statePath = join(repoDir, "ladder-test-server.json");
  if (existsSync(statePath)) {
    const saved = JSON.parse(readFileSync(statePath, "utf8")) as {
      pulls: PullRecord[];
      comments: [number, string[]][];
      nextIssueNumber: number;
      nextCommentId: number;
    };
    pulls.push(...saved.pulls);
    for (const [n, list] of saved.comments) commentBodies.set(n, list);
    nextIssueNumber = saved.nextIssueNumber;
    nextCommentId = saved.nextCommentId;
  }
  const persist = () =>
    writeFileSync(
      statePath,
      JSON.stringify({ pulls, comments: [...commentBodies.entries()], nextIssueNumber, nextCommentId }, null, 1),
    );
  let pushedAt = iso(Math.floor(Date.now() / 1000));
  let urls: Urls = { web: "http://127.0.0.1", api: "http://127.0.0.1/api/v3" };
  const repoIdentity: RepoIdentity = {
    owner,
    name: repoName,
    id: stableId(`repo:${owner}/${repoName}`),
    defaultBranch,
    createdAt: iso(Math.floor(Date.now() / 1000)),
  };

  const openIssues = () => pulls.filter((p) => p.state === "open").length;
  const repoJson = () => repository(urls, repoIdentity, openIssues(), pushedAt);
  const prJson = (pr: PullRecord, full: boolean) => pullRequest(urls, repoIdentity, pr, openIssues(), pushedAt, full);
  const now = () => iso(Math.floor(Date.now() / 1000));

  // ---------------------------------------------------------------- webhooks
  function deliver(event: WebhookDelivery["event"], schemaName: string, payload: Record<string, unknown>): void {
    const problem = validator.validateWebhook(schemaName, payload);
    if (problem) violations.push({ operationId: `webhook:${schemaName}`, phase: "webhook", detail: problem });
    const action = str(payload.action);
    const delivery: WebhookDelivery = { id: randomUUID(), event, payload, ...(action ? { action } : {}) };
    deliveries.push(delivery);
    const target = webhookUrl;
    if (!target) return;
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", webhookSecret).update(body).digest("hex")}`;
    const job = fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/ladder-test",
        "x-github-event": event,
        "x-github-delivery": delivery.id,
        "x-github-hook-id": "1",
        "x-hub-signature-256": signature,
      },
      body,
    })
      .then(async (res) => {
        delivery.status = res.status;
        await res.arrayBuffer();
      })
      .catch((error: unknown) => {
        delivery.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        pending.delete(job);
      });
    pending.add(job);
  }

  async function pushPayload(
    fullRef: string,
    before: string | undefined,
    after: string | undefined,
  ): Promise<Record<string, unknown>> {
    const commits: Record<string, unknown>[] = [];
    if (after) {
      const range = before ? await store.log(`${before}..${after}`, [], 20) : await store.log(after, [], 1);
      for (const sha of range.reverse()) {
        const c = await store.readCommit(sha);
        if (!c) continue;
        const changed = await store.diffNames(c.parents[0], sha);
        commits.push(pushCommit(c, changed));
      }
    }
    const head = commits.at(-1) ?? null;
    const short = (s: string | undefined) => (s ?? ZERO_SHA).slice(0, 12);
    return {
      ref: fullRef,
      before: before ?? ZERO_SHA,
      after: after ?? ZERO_SHA,
      created: before === undefined,
      deleted: after === undefined,
      forced: false,
      base_ref: null,
      compare: `${urls.web}/${owner}/${repoName}/compare/${short(before)}...${short(after)}`,
      commits,
      head_commit: head,
      repository: repoJson(),
      pusher: { name: actor, email: `${actor}@users.noreply.github.com` },
      sender: simpleUser(urls, actor),
    };
  }

  function pushCommit(
    c: CommitInfo,
    changed: { added: string[]; modified: string[]; removed: string[] },
  ): Record<string, unknown> {
    return {
      id: c.sha,
      tree_id: c.tree,
      distinct: true,
      message: c.message.replace(/\n$/, ""),
      timestamp: iso(c.committer.time),
      url: `${urls.web}/${owner}/${repoName}/commit/${c.sha}`,
      author: { name: c.author.name, email: c.author.email, date: iso(c.author.time) },
      committer: { name: c.committer.name, email: c.committer.email, date: iso(c.committer.time) },
      added: changed.added,
      removed: changed.removed,
      modified: changed.modified,
    };
  }

  async function announcePush(fullRef: string, before: string | undefined, after: string | undefined): Promise<void> {
    pushedAt = now();
    deliver("push", "push", await pushPayload(fullRef, before, after));
  }

  function announcePull(pr: PullRecord, action: "opened" | "closed" | "reopened" | "synchronize"): void {
    deliver("pull_request", `pull-request-${action}`, {
      action,
      number: pr.number,
      pull_request: prJson(pr, true),
      repository: repoJson(),
      sender: simpleUser(urls, actor),
    });
  }

  // ---------------------------------------------------------------- helpers
  const notFound = () => new HttpError(404, "Not Found");
  const unprocessable = (message: string, errors?: unknown[]) => new HttpError(422, message, errors ? { errors } : {});

  function checkRepo(params: Record<string, string>): void {
    if (params.owner?.toLowerCase() !== owner.toLowerCase() || params.repo?.toLowerCase() !== repoName.toLowerCase())
      throw notFound();
  }

  /** Branch name, full ref, or SHA → commit SHA. */
  async function resolveCommitish(ref: string): Promise<string | undefined> {
    if (/^[0-9a-f]{40}$/.test(ref)) return (await store.objectType(ref)) === "commit" ? ref : undefined;
    const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    for (const candidate of candidates) {
      const sha = await store.resolveRef(candidate);
      if (sha) return sha;
    }
    return undefined;
  }

  function findPull(number: string | undefined): PullRecord {
    const pr = pulls.find((p) => String(p.number) === number);
    if (!pr) throw notFound();
    return pr;
  }

  async function refreshHead(pr: PullRecord): Promise<void> {
    if (pr.state !== "open") return;
    const sha = await store.resolveRef(`refs/heads/${pr.head}`);
    if (sha) pr.headSha = sha;
    const base = await store.resolveRef(`refs/heads/${pr.base}`);
    if (base) pr.baseSha = base;
  }

  async function mergePull(pr: PullRecord, method: string, expectedSha?: string, title?: string): Promise<string> {
    if (pr.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
    await refreshHead(pr);
    if (expectedSha && expectedSha !== pr.headSha)
      throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
    const baseSha = await store.resolveRef(`refs/heads/${pr.base}`);
    if (!baseSha) throw new HttpError(422, "Base branch does not exist");
    const merged = await store.mergeTrees(baseSha, pr.headSha);
    if (!merged.tree) throw new HttpError(405, `Pull Request is not mergeable: conflict in ${merged.conflicts.join(", ")}`);
    const identity = { name: actor, email: `${actor}@users.noreply.github.com` };
    const message =
      method === "merge"
        ? `Merge pull request #${pr.number} from ${owner}/${pr.head}\n\n${title ?? pr.title}\n`
        : `${title ?? pr.title} (#${pr.number})\n\n${pr.body ?? ""}\n`;
    const parents = method === "merge" ? [baseSha, pr.headSha] : [baseSha];
    const sha = await store.commitTree(merged.tree, parents, message, identity);
    if (!(await store.updateRef(`refs/heads/${pr.base}`, sha, baseSha)))
      throw new HttpError(409, "Base branch was modified. Review and try the merge again.");
    const at = now();
    Object.assign(pr, { state: "closed", merged: true, mergedAt: at, closedAt: at, updatedAt: at, mergeCommitSha: sha, baseSha });
    await announcePush(`refs/heads/${pr.base}`, baseSha, sha);
    announcePull(pr, "closed");
    return sha;
  }

  function closePull(pr: PullRecord): void {
    if (pr.state === "closed") return;
    const at = now();
    Object.assign(pr, { state: "closed", closedAt: at, updatedAt: at });
    announcePull(pr, "closed");
  }

  // ---------------------------------------------------------------- endpoints
  const routes: Route[] = [];
  const route = (method: string, template: string, operationId: string, handler: Handler) => {
    routes.push({ method, operationId, handler, ...compileTemplate(template) });
  };
  const R = "/repos/{owner}/{repo}";

  // ---------------------------------------------------------------- sign-in
  route("GET", "/user", "users/get-authenticated", async ({ headers }) => {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(headers.authorization ?? "")?.[1] ?? "";
    const user = oauth.userForToken(token);
    // An installation or app token is not a person.
    if (!user) throw new HttpError(403, "Resource not accessible by integration");
    return {
      status: 200,
      body: {
        ...simpleUser(urls, user.login),
        name: user.name ?? null,
        company: null,
        blog: "",
        location: null,
        email: user.email ?? null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
      },
    };
  });

  route(
    "GET",
    "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    "teams/get-membership-for-user-in-org",
    async ({ params }) => {
      const { org = "", team_slug: slug = "", username = "" } = params;
      if (!oauth.isTeamMember(org, slug, username)) throw notFound();
      return {
        status: 200,
        body: {
          url: `${urls.api}/organizations/${stableId(`org:${org}`)}/team/${stableId(`team:${org}/${slug}`)}/memberships/${username}`,
          role: "member",
          state: "active",
        },
      };
    },
  );

  route("GET", R, "repos/get", async ({ params }) => {
    checkRepo(params);
    return { status: 200, body: repoJson() };
  });

  route("GET", `${R}/git/ref/{ref}`, "git/get-ref", async ({ params }) => {
    checkRepo(params);
    const fullRef = `refs/${params.ref ?? ""}`;
    const sha = await store.resolveRef(fullRef);
    if (!sha) throw notFound();
    return { status: 200, body: gitRef(urls, repoIdentity, fullRef, sha) };
  });

  route("GET", `${R}/git/trees/{tree_sha}`, "git/get-tree", async ({ params, query }) => {
    checkRepo(params);
    const treeish = params.tree_sha ?? "";
    const commit = /^[0-9a-f]{40}$/.test(treeish) ? treeish : await resolveCommitish(treeish);
    const tree = commit ? await store.treeOf(commit) : undefined;
    if (!tree) throw notFound();
    const recursive = query.has("recursive");
    const entries = await store.lsTree(tree, recursive);
    const truncated = entries.length > treeEntryLimit;
    return {
      status: 200,
      body: gitTree(urls, repoIdentity, tree, truncated ? entries.slice(0, treeEntryLimit) : entries, truncated),
    };
  });

  route("GET", `${R}/git/blobs/{file_sha}`, "git/get-blob", async ({ params }) => {
    checkRepo(params);
    const sha = params.file_sha ?? "";
    if (!/^[0-9a-f]{40}$/.test(sha)) throw notFound();
    // One git process per blob: cat-file fails for a missing or non-blob object.
    const content = await store.readBlob(sha).catch(() => {
      throw notFound();
    });
    return {
      status: 200,
      body: {
        sha,
        node_id: Buffer.from(`Blob:${sha}`).toString("base64"),
        size: content.length,
        url: `${urls.api}/repos/${owner}/${repoName}/git/blobs/${sha}`,
        content: base64Lines(content),
        encoding: "base64",
      },
    };
  });

  route("GET", `${R}/git/commits/{commit_sha}`, "git/get-commit", async ({ params }) => {
    checkRepo(params);
    const c = await store.readCommit(params.commit_sha ?? "");
    if (!c) throw notFound();
    return { status: 200, body: gitCommit(urls, repoIdentity, c) };
  });

  route("GET", `${R}/commits`, "repos/list-commits", async ({ params, query }) => {
    checkRepo(params);
    const ref = query.get("sha") ?? defaultBranch;
    const head = await resolveCommitish(ref);
    if (!head) throw notFound();
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const path = query.get("path");
    const shas = await store.log(head, path ? [path] : [], perPage, (page - 1) * perPage);
    const commits = await Promise.all(shas.map((sha) => store.readCommit(sha)));
    return {
      status: 200,
      body: commits.filter((c): c is CommitInfo => c !== undefined).map((c) => restCommit(urls, repoIdentity, c)),
    };
  });

  route("GET", `${R}/contents/{path}`, "repos/get-content", async ({ params, query }) => {
    checkRepo(params);
    const ref = query.get("ref") ?? defaultBranch;
    const commit = await resolveCommitish(ref);
    if (!commit) throw notFound();
    const path = (params.path ?? "").replace(/^\/+|\/+$/g, "");
    const found = await store.object(path === "" ? `${commit}^{tree}` : `${commit}:${path}`);
    if (!found) throw notFound();
    if (found.type === "tree") {
      const children = await store.lsTree(found.sha, false);
      const prefix = path === "" ? "" : `${path}/`;
      return {
        status: 200,
        body: children.map((c) => contentEntry(urls, repoIdentity, ref, { ...c, path: `${prefix}${c.path}` }, c.path)),
      };
    }
    if (found.type !== "blob") throw notFound();
    const entry: TreeEntry = { mode: "100644", type: "blob", sha: found.sha, path, size: found.content.length };
    const name = path.slice(path.lastIndexOf("/") + 1);
    return {
      status: 200,
      body: { ...contentEntry(urls, repoIdentity, ref, entry, name), content: base64Lines(found.content), encoding: "base64" },
    };
  });

  route("POST", `${R}/git/trees`, "git/create-tree", async ({ params, body }) => {
    checkRepo(params);
    const input = record(body);
    const baseTree = str(input.base_tree);
    if (baseTree && (await store.objectType(baseTree)) !== "tree") throw unprocessable("base_tree is not a valid tree oid");
    const items = Array.isArray(input.tree) ? input.tree.map(record) : [];
    const changes = await Promise.all(
      items.map(async (item) => {
        const path = str(item.path) ?? "";
        const mode = str(item.mode) ?? "100644";
        if (typeof item.content === "string") return { path, mode, sha: await store.writeBlob(item.content) };
        if (item.sha === null) return { path, mode, sha: null };
        const sha = str(item.sha);
        if (!sha || !(await store.objectType(sha))) throw unprocessable("tree.sha is not a valid blob");
        return { path, mode, sha };
      }),
    );
    const tree = await store.buildTree(baseTree, changes);
    const entries = await store.lsTree(tree, false);
    return { status: 201, body: gitTree(urls, repoIdentity, tree, entries, false) };
  });

  route("POST", `${R}/git/commits`, "git/create-commit", async ({ params, body }) => {
    checkRepo(params);
    const input = record(body);
    const tree = str(input.tree) ?? "";
    if ((await store.objectType(tree)) !== "tree") throw unprocessable("Tree SHA does not exist");
    const parents = Array.isArray(input.parents) ? input.parents.filter((p): p is string => typeof p === "string") : [];
    for (const p of parents)
      if ((await store.objectType(p)) !== "commit") throw unprocessable("Parent SHA does not exist or is not a commit object");
    const person = (value: unknown) => {
      const r = record(value);
      const date = str(r.date);
      return {
        name: str(r.name) ?? actor,
        email: str(r.email) ?? `${actor}@users.noreply.github.com`,
        ...(date ? { time: Math.floor(Date.parse(date) / 1000) } : {}),
      };
    };
    const author = person(input.author);
    const committer = input.committer === undefined ? author : person(input.committer);
    const sha = await store.commitTree(tree, parents, str(input.message) ?? "", author, committer);
    const c = await store.readCommit(sha);
    if (!c) throw new HttpError(500, "commit vanished");
    return { status: 201, body: gitCommit(urls, repoIdentity, c) };
  });

  route("POST", `${R}/git/refs`, "git/create-ref", async ({ params, body }) => {
    checkRepo(params);
    const input = record(body);
    const ref = str(input.ref) ?? "";
    const sha = str(input.sha) ?? "";
    if (!/^refs\/[^/]+\/.+/.test(ref))
      throw unprocessable("Reference name must start with 'refs/' and contain at least two slashes");
    if ((await store.objectType(sha)) !== "commit") throw unprocessable("Object does not exist");
    // Git's compare-and-swap against the zero SHA makes concurrent creations collide exactly once.
    if (!(await store.updateRef(ref, sha, ZERO_SHA))) throw unprocessable("Reference already exists");
    await announcePush(ref, undefined, sha);
    return {
      status: 201,
      body: gitRef(urls, repoIdentity, ref, sha),
      headers: { location: `${urls.api}/repos/${owner}/${repoName}/git/${ref}` },
    };
  });

  route("DELETE", `${R}/git/refs/{ref}`, "git/delete-ref", async ({ params }) => {
    checkRepo(params);
    const ref = `refs/${params.ref ?? ""}`;
    const before = await store.resolveRef(ref);
    if (!before || !(await store.deleteRef(ref))) throw unprocessable("Reference does not exist");
    await announcePush(ref, before, undefined);
    return { status: 204 };
  });

  route("POST", `${R}/pulls`, "pulls/create", async ({ params, body }) => {
    checkRepo(params);
    const input = record(body);
    const rawHead = str(input.head) ?? "";
    const head = rawHead.includes(":") ? rawHead.slice(rawHead.indexOf(":") + 1) : rawHead;
    const base = str(input.base) ?? "";
    const headSha = await store.resolveRef(`refs/heads/${head}`);
    const baseSha = await store.resolveRef(`refs/heads/${base}`);
    if (!headSha) throw unprocessable("Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
    if (!baseSha) throw unprocessable("Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
    if (await store.isAncestor(headSha, baseSha))
      throw unprocessable("Validation Failed", [
        { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` },
      ]);
    // No await between this check and the insert: two concurrent creations cannot both pass.
    if (pulls.some((p) => p.state === "open" && p.head === head && p.base === base))
      throw unprocessable("Validation Failed", [
        { resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${head}.` },
      ]);
    const at = now();
    const number = nextIssueNumber++;
    const pr: PullRecord = {
      number,
      id: stableId(`pr:${number}:${at}`),
      title: str(input.title) ?? head,
      body: str(input.body) ?? null,
      head,
      headSha,
      base,
      baseSha,
      state: "open",
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: at,
      updatedAt: at,
      user: actor,
      comments: 0,
      draft: input.draft === true,
      maintainerCanModify: input.maintainer_can_modify !== false,
    };
    pulls.push(pr);
    announcePull(pr, "opened");
    return {
      status: 201,
      body: prJson(pr, true),
      headers: { location: `${urls.api}/repos/${owner}/${repoName}/pulls/${number}` },
    };
  });

  route("GET", `${R}/pulls`, "pulls/list", async ({ params, query }) => {
    checkRepo(params);
    const state = query.get("state") ?? "open";
    const headFilter = query.get("head");
    const baseFilter = query.get("base");
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const selected = pulls
      .filter((p) => state === "all" || p.state === state)
      .filter((p) => !headFilter || `${owner}:${p.head}`.toLowerCase() === headFilter.toLowerCase())
      .filter((p) => !baseFilter || p.base === baseFilter)
      .sort((a, b) => b.number - a.number)
      .slice((page - 1) * perPage, page * perPage);
    for (const pr of selected) await refreshHead(pr);
    return { status: 200, body: selected.map((p) => prJson(p, false)) };
  });

  route("GET", `${R}/pulls/{pull_number}`, "pulls/get", async ({ params }) => {
    checkRepo(params);
    const pr = findPull(params.pull_number);
    await refreshHead(pr);
    return { status: 200, body: prJson(pr, true) };
  });

  route("PATCH", `${R}/pulls/{pull_number}`, "pulls/update", async ({ params, body }) => {
    checkRepo(params);
    const pr = findPull(params.pull_number);
    const input = record(body);
    if (typeof input.title === "string") pr.title = input.title;
    if (typeof input.body === "string") pr.body = input.body;
    pr.updatedAt = now();
    if (input.state === "closed") closePull(pr);
    else if (input.state === "open" && pr.state === "closed" && !pr.merged) {
      if (!(await store.resolveRef(`refs/heads/${pr.head}`)))
        throw unprocessable("Validation Failed", [{ resource: "PullRequest", field: "state", code: "invalid" }]);
      Object.assign(pr, { state: "open", closedAt: null });
      announcePull(pr, "reopened");
    }
    await refreshHead(pr);
    return { status: 200, body: prJson(pr, true) };
  });

  route("PUT", `${R}/pulls/{pull_number}/merge`, "pulls/merge", async ({ params, body }) => {
    checkRepo(params);
    const pr = findPull(params.pull_number);
    const input = record(body);
    const sha = await mergePull(pr, str(input.merge_method) ?? "merge", str(input.sha), str(input.commit_title));
    return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
  });

  route("POST", `${R}/issues/{issue_number}/comments`, "issues/create-comment", async ({ params, body }) => {
    checkRepo(params);
    const pr = findPull(params.issue_number);
    const text = str(record(body).body) ?? "";
    pr.comments++;
    const list = commentBodies.get(pr.number) ?? [];
    list.push(text);
    commentBodies.set(pr.number, list);
    return { status: 201, body: issueComment(urls, repoIdentity, pr.number, nextCommentId++, text, actor, now()) };
  });

  route(
    "POST",
    "/app/installations/{installation_id}/access_tokens",
    "apps/create-installation-access-token",
    async ({ params }) => {
      const installation = installations.find((i) => String(i.id) === params.installation_id);
      if (!installation) throw notFound();
      const token = `ghs_${randomUUID().replaceAll("-", "")}`;
      tokens.add(token);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: { contents: "write", pull_requests: "write", metadata: "read" },
          repository_selection: "selected",
        },
      };
    },
  );

  /**
   * GraphQL, limited to the one query shape Ladder sends for a cold start: blobs by oid, one alias
   * each. GraphQL is not in the OpenAPI description, so the shape is checked here instead.
   */
  route("POST", "/graphql", "graphql", async ({ body }) => {
    const input = record(body);
    const query = str(input.query) ?? "";
    const variables = record(input.variables);
    const shape =
      /^\s*query\s*\(\$owner:\s*String!,\s*\$name:\s*String!\)\s*\{\s*repository\(owner:\s*\$owner,\s*name:\s*\$name\)\s*\{([\s\S]*)\}\s*\}\s*$/.exec(
        query,
      );
    const selection =
      /^\s*(?:\w+:\s*object\(oid:\s*"[0-9a-f]{40}"\)\s*\{\s*\.\.\.\s*on\s+Blob\s*\{\s*oid\s+byteSize\s+isBinary\s+isTruncated\s+text\s*\}\s*\}\s*)+$/;
    if (!shape?.[1] || !selection.test(shape[1])) {
      violations.push({ operationId: "graphql", phase: "request", detail: `unsupported GraphQL query: ${query.slice(0, 200)}` });
      return { status: 200, body: { errors: [{ message: "Parse error: the test server supports only Ladder's blob query" }] } };
    }
    if (
      str(variables.owner)?.toLowerCase() !== owner.toLowerCase() ||
      str(variables.name)?.toLowerCase() !== repoName.toLowerCase()
    ) {
      return {
        status: 200,
        body: {
          data: { repository: null },
          errors: [
            {
              type: "NOT_FOUND",
              message: `Could not resolve to a Repository with the name '${str(variables.owner)}/${str(variables.name)}'.`,
            },
          ],
        },
      };
    }
    const repositoryData: Record<string, unknown> = {};
    for (const m of shape[1].matchAll(/(\w+):\s*object\(oid:\s*"([0-9a-f]{40})"\)/g)) {
      const [, alias = "", oid = ""] = m;
      const found = await store.object(oid);
      if (found?.type !== "blob") {
        repositoryData[alias] = null;
        continue;
      }
      // GitHub sends text only for non-binary blobs, truncated past ~512 KB.
      const isBinary = found.content.includes(0);
      const isTruncated = found.content.length > 512 * 1024;
      repositoryData[alias] = {
        oid,
        byteSize: found.content.length,
        isBinary,
        isTruncated,
        text: isBinary ? null : found.content.subarray(0, 512 * 1024).toString("utf8"),
      };
    }
    return { status: 200, body: { data: { repository: repositoryData } } };
  });

  // ---------------------------------------------------------------- HTTP plumbing
  let rateRemaining = 5000;
  const rateReset = () => Math.floor(Date.now() / 1000) + 3600;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": randomUUID(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(rateRemaining),
      "x-ratelimit-reset": String(rateReset()),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length === 0) return undefined;
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, "Problems parsing JSON");
    }
  }

  function authorised(req: IncomingMessage, operationId: string): boolean {
    const header = req.headers.authorization ?? "";
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(header);
    if (!m?.[1]) return false;
    // App endpoints take the App's JWT; the server trusts its shape, not its signature.
    if (operationId.startsWith("apps/")) return m[1].split(".").length === 3;
    return tokens.has(m[1]) || oauth.userForToken(m[1]) !== undefined;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? "GET";
    let matched: { route: Route; params: Record<string, string> } | undefined;
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      matched = { route: r, params };
      break;
    }
    if (!matched) {
      violations.push({
        operationId: `${method} ${path}`,
        phase: "request",
        detail: "endpoint not implemented by the test server",
      });
      send(res, 404, basicError(urls, "Not Found", 404));
      return;
    }
    const { route: r, params } = matched;
    counters[r.operationId] = (counters[r.operationId] ?? 0) + 1;

    // The body is received before any injected latency, as GitHub has the whole request before it
    // acts: a client that dies while GitHub is slow does not undo what GitHub then does.
    const bodyRead = method === "GET" || method === "DELETE" ? Promise.resolve(undefined) : readBody(req);
    bodyRead.catch(() => undefined);
    const { latencyMs, fault } = faults.take({ operationId: r.operationId, method, path });
    if (latencyMs > 0) await sleep(latencyMs);
    const sendFault = (f: TerminalFault): void => {
      if (f.kind === "reset") {
        req.socket.destroy();
        return;
      }
      if (f.kind === "status") {
        send(res, f.status, basicError(urls, f.message ?? "Server Error", f.status));
        return;
      }
      if (f.kind === "secondary-rate-limit") {
        send(
          res,
          403,
          basicError(urls, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", 403),
          {
            "retry-after": String(f.retryAfter ?? 1),
          },
        );
        return;
      }
      const reset = f.resetAt ?? rateReset();
      send(res, 403, basicError(urls, "API rate limit exceeded for installation.", 403), {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(reset),
      });
    };
    if (fault && !fault.after) {
      sendFault(fault);
      return;
    }

    if (!authorised(req, r.operationId)) {
      send(res, 401, basicError(urls, "Bad credentials", 401));
      return;
    }

    let result: HandlerResult;
    try {
      const body = await bodyRead;
      const queryParams = Object.fromEntries(query.entries());
      const requestProblem =
        r.operationId === "graphql" ? undefined : validator.validateRequest(r.operationId, { ...queryParams, ...params }, body);
      if (requestProblem) {
        violations.push({ operationId: r.operationId, phase: "request", detail: requestProblem });
        if (strict) {
          send(res, 500, basicError(urls, `OpenAPI request violation: ${requestProblem}`, 500));
          return;
        }
      }
      result = await r.handler({ params, query, body, headers: req.headers });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      result = {
        status: error.status,
        body: { ...basicError(urls, error.message, error.status), ...error.extra },
        headers: error.headers,
      };
    }

    if (fault?.after) {
      // The write happened; the client gets the fault instead of the answer.
      sendFault(fault);
      return;
    }

    const responseProblem =
      r.operationId === "graphql" ? undefined : validator.validateResponse(r.operationId, result.status, result.body);
    if (responseProblem) {
      violations.push({ operationId: r.operationId, phase: "response", status: result.status, detail: responseProblem });
      if (strict) {
        send(res, 500, basicError(urls, `OpenAPI response violation: ${responseProblem}`, 500));
        return;
      }
    }

    if (method === "GET" && result.status === 200) {
      const etag = `"${createHash("sha256").update(JSON.stringify(result.body)).digest("hex").slice(0, 40)}"`;
      const headers = {
        ...result.headers,
        etag,
        "cache-control": "private, max-age=60, s-maxage=60",
        vary: "Accept, Authorization",
      };
      const inm = req.headers["if-none-match"];
      if (inm && inm.replace(/^W\//, "") === etag) {
        // GitHub does not charge a 304 against the rate limit.
        send(res, 304, undefined, headers);
        return;
      }
      rateRemaining = Math.max(rateRemaining - 1, 0);
      send(res, 200, result.body, headers);
      return;
    }
    rateRemaining = Math.max(rateRemaining - 1, 0);
    send(res, result.status, result.body, result.headers);
  }

  // ---------------------------------------------------------------- control
  const control: GitHubServerControl = {
    oauth,
    store,
    validator,
    async commit(files, opts = {}) {
      const branch = opts.branch ?? defaultBranch;
      const author = {
        ...(opts.author ?? { name: "Test Committer", email: "committer@example.com" }),
        ...(opts.date ? { time: Math.floor(opts.date.getTime() / 1000) } : {}),
      };
      const { before, after } = await store.commitFiles(branch, files, opts.message ?? "Update files", author, {
        replaceAll: opts.replaceAll ?? false,
        startFrom: `refs/heads/${defaultBranch}`,
      });
      await announcePush(`refs/heads/${branch}`, before, after);
      return after;
    },
    async seed(files, message = "Seed repository") {
      return await control.commit(files, { message, replaceAll: true });
    },
    async head(branch = defaultBranch) {
      return await store.resolveRef(`refs/heads/${branch}`);
    },
    async branches() {
      return (await store.listRefs("refs/heads/")).map((r) => r.ref.slice("refs/heads/".length));
    },
    async mergePullRequest(number, method = "merge") {
      const sha = await mergePull(findPull(String(number)), method);
      persist();
      return sha;
    },
    async closePullRequest(number) {
      closePull(findPull(String(number)));
      persist();
    },
    pullRequests: () => pulls,
    comments: (number) => commentBodies.get(number) ?? [],
    injectFault: (rule) => faults.add(rule),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    counters: () => ({ ...counters }),
    totalRequests: () => Object.values(counters).reduce((a, b) => a + b, 0),
    resetCounters: () => {
      counters = {};
    },
    violations: () => violations,
    clearViolations: () => {
      violations = [];
    },
    deliveries: () => deliveries,
    async flushWebhooks() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    setWebhook(url, secret) {
      webhookUrl = url;
      if (secret !== undefined) webhookSecret = secret;
    },
    setTreeEntryLimit(limit) {
      treeEntryLimit = limit;
    },
    reset() {
      faults.clear();
      counters = {};
      violations = [];
      deliveries = [];
      pending = new Set();
      rateRemaining = 5000;
    },
  };

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? "GET";
    const body = record(method === "GET" ? undefined : await readBody(req));
    const ok = (value: unknown) => send(res, 200, value ?? { ok: true });
    const action = path.slice("/_control/".length);
    const merge = /^pulls\/(\d+)\/(merge|close)$/.exec(action);
    if (merge) {
      const number = Number(merge[1]);
      if (merge[2] === "merge")
        return ok({ sha: await control.mergePullRequest(number, body.method === "squash" ? "squash" : "merge") });
      await control.closePullRequest(number);
      return ok(undefined);
    }
    switch (`${method} ${action}`) {
      case "POST seed":
        return ok({ sha: await control.seed(record(body.files) as Record<string, string>, str(body.message)) });
      case "POST commit": {
        const date = str(body.date);
        const branch = str(body.branch);
        const message = str(body.message);
        return ok({
          sha: await control.commit(record(body.files) as Record<string, string | null>, {
            ...(branch ? { branch } : {}),
            ...(message ? { message } : {}),
            ...(date ? { date: new Date(date) } : {}),
          }),
        });
      }
      case "POST faults":
        return ok({ id: control.injectFault(body as unknown as FaultRule) });
      case "DELETE faults":
        control.clearFaults();
        return ok(undefined);
      case "GET counters":
        return ok({ counters: control.counters(), total: control.totalRequests() });
      case "GET violations":
        return ok({ violations: control.violations() });
      case "GET pulls":
        return ok({ pulls: control.pullRequests() });
      case "GET deliveries":
        return ok({ deliveries: control.deliveries().map(({ payload: _payload, ...rest }) => rest) });
      case "POST webhook":
        control.setWebhook(str(body.url), str(body.secret));
        return ok(undefined);
      case "POST reset":
        control.reset();
        return ok(undefined);
      case "POST oauth/sign-in-as":
        oauth.signInAs(str(body.login) ?? "octocat");
        return ok(undefined);
      case "POST oauth/team":
        oauth.setTeam(
          str(body.team) ?? "",
          Array.isArray(body.members) ? body.members.filter((m): m is string => typeof m === "string") : [],
        );
        return ok(undefined);
      case "GET head":
        return ok({ sha: (await control.head()) ?? null });
      default:
        send(res, 404, { message: `unknown control action ${method} ${action}` });
    }
  }

  /** The demo's web pages: a pull request with Merge and Close buttons, a plain page otherwise. */
  async function handleWeb(req: IncomingMessage, res: ServerResponse, rest: string, query: URLSearchParams): Promise<void> {
    const html = (status: number, body: string) => {
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      });
      res.end(body);
    };
    const m = /^\/pull\/(\d+)(?:\/(merge|close))?$/.exec(rest);
    const pr = m ? pulls.find((p) => p.number === Number(m[1])) : undefined;
    if (!m || !pr)
      return html(404, plainPage("Not found", `Nothing at ${owner}/${repoName}${rest} on this local stand-in for GitHub.`));
    if (req.method === "POST" && m[2]) {
      if (m[2] === "merge") await control.mergePullRequest(pr.number);
      else await control.closePullRequest(pr.number);
      res.writeHead(303, { location: `/${owner}/${repoName}/pull/${pr.number}` });
      res.end();
      return;
    }
    html(200, pullRequestPage(owner, repoName, pr, query.get("back") ?? undefined));
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql; accept both layouts.
    const path = url.pathname.startsWith("/api/v3/")
      ? url.pathname.slice("/api/v3".length)
      : url.pathname === "/api/graphql"
        ? "/graphql"
        : url.pathname;
    const webPrefix = `/${owner}/${repoName}`;
    const work = path.startsWith("/_control/")
      ? handleControl(req, res, path)
      : path.startsWith("/login/oauth/")
        ? oauth.handle(req, res, path, url.searchParams).then((handled) => {
            if (!handled) send(res, 404, basicError(urls, "Not Found", 404));
          })
        : path === webPrefix || path.startsWith(`${webPrefix}/`)
          ? handleWeb(req, res, path.slice(webPrefix.length), url.searchParams)
          : handleApi(req, res, path, url.searchParams);
    // Anything that may have changed pull requests is saved once it is done.
    if (req.method !== "GET") void work.then(persist, () => undefined);
    work.catch((error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      // The client went away mid-request (killed, timed out): nothing to answer, no API violation.
      if (req.destroyed && detail === "aborted") return;
      violations.push({
        operationId: `${req.method} ${path}`,
        phase: "response",
        status: 500,
        detail: `server error: ${detail}`,
      });
      if (!res.headersSent) send(res, 500, basicError(urls, detail, 500));
      else res.end();
    });
  });
  // Octokit keeps connections alive; a short idle timeout lets stop() finish promptly.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolvePromise) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolvePromise));
  const address = server.address() as AddressInfo;
  const web = `http://${options.host ?? "127.0.0.1"}:${address.port}`;
  urls = { web, api: `${web}/api/v3` };

  if (options.seed) await control.seed(options.seed);

  return {
    url: web,
    apiBaseUrl: urls.api,
    owner,
    repo: repoName,
    repoDir,
    control,
    async stop() {
      await control.flushWebhooks();
      store.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}
