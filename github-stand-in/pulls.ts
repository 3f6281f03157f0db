/**
 * Pull requests: create, list, get (with `mergeable` / `mergeable_state` from merge-gates.ts),
 * update (title, body, close, reopen), merge (merge commit or squash, with GitHub's
 * compare-and-swap on the head and base; through the API refused with 405 while branch
 * protection is unmet), comments, and the web page a person merges or closes one from. Each change announces a `pull_request` webhook; a merge also
 * announces the push. The records are saved beside the git repository, so a restarted demo still
 * knows the pull requests its database points at.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { checkRepo, now, prJson, type StandIn } from "./context";
import { issueComment, type PullRecord, stableId } from "./github-objects";
import { HttpError, notFound, type RouteTable, record, str, unprocessable } from "./http";
import { mergeability } from "./merge-gates";
import { plainPage, pullRequestPage } from "./web-pages";
import { announcePull, announcePush } from "./webhooks";

/** The pull requests and their comments, loaded from and saved to `ladder-test-server.json`. */
export class PullState {
  readonly list: PullRecord[] = [];
  readonly comments = new Map<number, string[]>();
  nextIssueNumber = 1;
  nextCommentId = 1000;
  private readonly path: string;

  constructor(repoDir: string) {
    this.path = join(repoDir, "ladder-test-server.json");
    if (existsSync(this.path)) {
      const saved = JSON.parse(readFileSync(this.path, "utf8")) as {
        pulls: PullRecord[];
        comments: [number, string[]][];
        nextIssueNumber: number;
        nextCommentId: number;
      };
      this.list.push(...saved.pulls);
      for (const [n, list] of saved.comments) this.comments.set(n, list);
      this.nextIssueNumber = saved.nextIssueNumber;
      this.nextCommentId = saved.nextCommentId;
    }
  }

  openCount(): number {
    return this.list.filter((p) => p.state === "open").length;
  }

  persist(): void {
    const { list: pulls, comments, nextIssueNumber, nextCommentId } = this;
    writeFileSync(
      this.path,
      JSON.stringify({ pulls, comments: [...comments.entries()], nextIssueNumber, nextCommentId }, null, 1),
    );
  }
}

export function findPull(s: StandIn, number: string | undefined): PullRecord {
  const pr = s.pulls.list.find((p) => String(p.number) === number);
  if (!pr) throw notFound();
  return pr;
}

async function refreshHead(s: StandIn, pr: PullRecord): Promise<void> {
  if (pr.state !== "open") return;
  const sha = await s.store.resolveRef(`refs/heads/${pr.head}`);
  if (sha) pr.headSha = sha;
  const base = await s.store.resolveRef(`refs/heads/${pr.base}`);
  if (base) pr.baseSha = base;
}

/**
 * Merges an open pull request. `enforceProtection` (the API) refuses while branch protection is
 * unmet, with GitHub's message; the control API and the web page merge as an admin would.
 */
async function mergePull(
  s: StandIn,
  pr: PullRecord,
  method: string,
  options: { expectedSha?: string; title?: string; enforceProtection?: boolean } = {},
): Promise<string> {
  const { store, actor, owner } = s;
  const { expectedSha, title } = options;
  if (pr.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
  await refreshHead(s, pr);
  if (expectedSha && expectedSha !== pr.headSha)
    throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
  if (options.enforceProtection) {
    const gate = await mergeability(s, pr);
    const [refusal] = gate.refusals;
    if (refusal && gate.state !== "dirty") throw new HttpError(405, refusal);
  }
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
  await announcePush(s, `refs/heads/${pr.base}`, baseSha, sha);
  announcePull(s, pr, "closed");
  return sha;
}

function closePull(s: StandIn, pr: PullRecord): void {
  if (pr.state === "closed") return;
  const at = now();
  Object.assign(pr, { state: "closed", closedAt: at, updatedAt: at });
  announcePull(s, pr, "closed");
}

/** Merges pull request `number` as a reviewer would on github.com, and saves the pull requests. */
export async function mergePullRequest(s: StandIn, number: number, method: "merge" | "squash" = "merge"): Promise<string> {
  const sha = await mergePull(s, findPull(s, String(number)), method);
  s.pulls.persist();
  return sha;
}

export function closePullRequest(s: StandIn, number: number): void {
  closePull(s, findPull(s, String(number)));
  s.pulls.persist();
}

export function registerPullEndpoints(routes: RouteTable, s: StandIn): void {
  const { store, owner, actor } = s;
  const pulls = s.pulls.list;
  const R = "/repos/{owner}/{repo}";

  routes.add("POST", `${R}/pulls`, "pulls/create", async ({ params, body }) => {
    checkRepo(s, params);
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
    const number = s.pulls.nextIssueNumber++;
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
    announcePull(s, pr, "opened");
    return {
      status: 201,
      body: prJson(s, pr, true),
      headers: { location: `${s.urls.api}/repos/${owner}/${s.repoName}/pulls/${number}` },
    };
  });

  routes.add("GET", `${R}/pulls`, "pulls/list", async ({ params, query }) => {
    checkRepo(s, params);
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
    for (const pr of selected) await refreshHead(s, pr);
    return { status: 200, body: selected.map((p) => prJson(s, p, false)) };
  });

  routes.add("GET", `${R}/pulls/{pull_number}`, "pulls/get", async ({ params }) => {
    checkRepo(s, params);
    const pr = findPull(s, params.pull_number);
    await refreshHead(s, pr);
    return { status: 200, body: prJson(s, pr, true, await mergeability(s, pr)) };
  });

  routes.add("PATCH", `${R}/pulls/{pull_number}`, "pulls/update", async ({ params, body }) => {
    checkRepo(s, params);
    const pr = findPull(s, params.pull_number);
    const input = record(body);
    if (typeof input.title === "string") pr.title = input.title;
    if (typeof input.body === "string") pr.body = input.body;
    pr.updatedAt = now();
    if (input.state === "closed") closePull(s, pr);
    else if (input.state === "open" && pr.state === "closed" && !pr.merged) {
      if (!(await store.resolveRef(`refs/heads/${pr.head}`)))
        throw unprocessable("Validation Failed", [{ resource: "PullRequest", field: "state", code: "invalid" }]);
      Object.assign(pr, { state: "open", closedAt: null });
      announcePull(s, pr, "reopened");
    }
    await refreshHead(s, pr);
    return { status: 200, body: prJson(s, pr, true) };
  });

  routes.add("PUT", `${R}/pulls/{pull_number}/merge`, "pulls/merge", async ({ params, body }) => {
    checkRepo(s, params);
    const pr = findPull(s, params.pull_number);
    const input = record(body);
    const sha = await mergePull(s, pr, str(input.merge_method) ?? "merge", {
      ...(str(input.sha) ? { expectedSha: str(input.sha) } : {}),
      ...(str(input.commit_title) ? { title: str(input.commit_title) } : {}),
      enforceProtection: true,
    });
    return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
  });

  routes.add("POST", `${R}/issues/{issue_number}/comments`, "issues/create-comment", async ({ params, body }) => {
    checkRepo(s, params);
    const pr = findPull(s, params.issue_number);
    const text = str(record(body).body) ?? "";
    pr.comments++;
    const list = s.pulls.comments.get(pr.number) ?? [];
    list.push(text);
    s.pulls.comments.set(pr.number, list);
    return {
      status: 201,
      body: issueComment(s.urls, s.identity, pr.number, s.pulls.nextCommentId++, text, actor, now()),
    };
  });
}

/** The demo's web pages: a pull request with Merge and Close buttons, a plain page otherwise. */
export async function handlePullPage(
  s: StandIn,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  query: URLSearchParams,
): Promise<void> {
  const { owner, repoName } = s;
  const html = (status: number, body: string) => {
    res.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    });
    res.end(body);
  };
  const m = /^\/pull\/(\d+)(?:\/(merge|close))?$/.exec(rest);
  const pr = m ? s.pulls.list.find((p) => p.number === Number(m[1])) : undefined;
  if (!m || !pr)
    return html(404, plainPage("Not found", `Nothing at ${owner}/${repoName}${rest} on this local stand-in for GitHub.`));
  if (req.method === "POST" && m[2]) {
    if (m[2] === "merge") await mergePullRequest(s, pr.number);
    else closePullRequest(s, pr.number);
    res.writeHead(303, { location: `/${owner}/${repoName}/pull/${pr.number}` });
    res.end();
    return;
  }
  html(200, pullRequestPage(owner, repoName, pr, query.get("back") ?? undefined));
}
