/**
 * Webhook deliveries as GitHub sends them: `push`, `pull_request`, `pull_request_review`,
 * `status` and `check_suite` payloads, each checked
 * against the OpenAPI description's webhook schema (a mismatch is recorded as a violation),
 * signed with HMAC-SHA256 in `X-Hub-Signature-256` and POSTed to the configured URL.
 */
import { createHmac, randomUUID } from "node:crypto";
import { now, prJson, repoJson, type StandIn } from "./context";
import { checkSuiteJson, headCommitJson, type PullRef, reviewJson, statusJson } from "./gate-objects";
import { type CommitInfo, ZERO_SHA } from "./git-store";
import { iso, type PullRecord, restCommit, simpleUser } from "./github-objects";
import { str } from "./http";
import { type CheckSuiteRecord, type ReviewRecord, type StatusRecord, suiteResult } from "./merge-gates";

export interface WebhookDelivery {
  id: string;
  event: "pull_request" | "push" | "pull_request_review" | "status" | "check_suite";
  action?: string;
  payload: Record<string, unknown>;
  status?: number;
  error?: string;
}

/** Where deliveries go, and the ones made so far. */
export class WebhookState {
  deliveries: WebhookDelivery[] = [];
  pending = new Set<Promise<void>>();

  constructor(
    public url: string | undefined,
    public secret: string,
  ) {}

  /** Resolves when every delivery started so far has finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  reset(): void {
    this.deliveries = [];
    this.pending = new Set();
  }
}

function deliver(s: StandIn, event: WebhookDelivery["event"], schemaName: string, payload: Record<string, unknown>): void {
  const hooks = s.webhooks;
  const problem = s.validator.validateWebhook(schemaName, payload);
  if (problem) s.violations.push({ operationId: `webhook:${schemaName}`, phase: "webhook", detail: problem });
  const action = str(payload.action);
  const delivery: WebhookDelivery = { id: randomUUID(), event, payload, ...(action ? { action } : {}) };
  hooks.deliveries.push(delivery);
  const target = hooks.url;
  if (!target) return;
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", hooks.secret).update(body).digest("hex")}`;
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
      hooks.pending.delete(job);
    });
  hooks.pending.add(job);
}

async function pushPayload(
  s: StandIn,
  fullRef: string,
  before: string | undefined,
  after: string | undefined,
): Promise<Record<string, unknown>> {
  const { store, urls, owner, repoName, actor } = s;
  const commits: Record<string, unknown>[] = [];
  if (after) {
    const range = before ? await store.log(`${before}..${after}`, [], 20) : await store.log(after, [], 1);
    for (const sha of range.reverse()) {
      const c = await store.readCommit(sha);
      if (!c) continue;
      const changed = await store.diffNames(c.parents[0], sha);
      commits.push(pushCommit(s, c, changed));
    }
  }
  const head = commits.at(-1) ?? null;
  const short = (sha: string | undefined) => (sha ?? ZERO_SHA).slice(0, 12);
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
    repository: repoJson(s),
    pusher: { name: actor, email: `${actor}@users.noreply.github.com` },
    sender: simpleUser(urls, actor),
  };
}

function pushCommit(
  s: StandIn,
  c: CommitInfo,
  changed: { added: string[]; modified: string[]; removed: string[] },
): Record<string, unknown> {
  return {
    id: c.sha,
    tree_id: c.tree,
    distinct: true,
    message: c.message.replace(/\n$/, ""),
    timestamp: iso(c.committer.time),
    url: `${s.urls.web}/${s.owner}/${s.repoName}/commit/${c.sha}`,
    author: { name: c.author.name, email: c.author.email, date: iso(c.author.time) },
    committer: { name: c.committer.name, email: c.committer.email, date: iso(c.committer.time) },
    added: changed.added,
    removed: changed.removed,
    modified: changed.modified,
  };
}

/** A ref moved (`before`/`after` undefined: created/deleted): the repository was pushed to. */
export async function announcePush(
  s: StandIn,
  fullRef: string,
  before: string | undefined,
  after: string | undefined,
): Promise<void> {
  s.pushedAt = now();
  deliver(s, "push", "push", await pushPayload(s, fullRef, before, after));
}

export function announcePull(s: StandIn, pr: PullRecord, action: "opened" | "closed" | "reopened" | "synchronize"): void {
  deliver(s, "pull_request", `pull-request-${action}`, {
    action,
    number: pr.number,
    pull_request: prJson(s, pr, true),
    repository: repoJson(s),
    sender: simpleUser(s.urls, s.actor),
  });
}

export function announceReview(s: StandIn, pr: PullRecord, review: ReviewRecord): void {
  deliver(s, "pull_request_review", "pull-request-review-submitted", {
    action: "submitted",
    review: reviewJson(s.urls, s.identity, review),
    pull_request: prJson(s, pr, true),
    repository: repoJson(s),
    sender: simpleUser(s.urls, review.user),
  });
}

/** A commit status was set; `branches` are the branches whose head is that commit. */
export async function announceStatus(s: StandIn, st: StatusRecord): Promise<void> {
  const commit = await s.store.readCommit(st.sha);
  if (!commit) return;
  const branches = (await s.store.listRefs("refs/heads/"))
    .filter((r) => r.sha === st.sha)
    .map((r) => ({
      name: r.ref.slice("refs/heads/".length),
      commit: { sha: r.sha, url: `${s.urls.api}/repos/${s.owner}/${s.repoName}/commits/${r.sha}` },
      protected: s.gates.protection.has(r.ref.slice("refs/heads/".length)),
    }));
  deliver(s, "status", "status", {
    ...statusJson(s.urls, s.identity, st),
    sha: st.sha,
    name: `${s.owner}/${s.repoName}`,
    commit: restCommit(s.urls, s.identity, commit),
    branches,
    repository: repoJson(s),
    sender: simpleUser(s.urls, st.creator),
  });
}

/** Every run of a check suite has completed. */
export async function announceCheckSuite(s: StandIn, suite: CheckSuiteRecord, pulls: readonly PullRef[]): Promise<void> {
  const commit = await s.store.readCommit(suite.sha);
  if (!commit) return;
  const runs = s.gates.runsOfSuite(suite.id);
  const repository = repoJson(s);
  deliver(s, "check_suite", "check-suite-completed", {
    action: "completed",
    check_suite: checkSuiteJson(
      s.urls,
      s.identity,
      repository,
      suite,
      suiteResult(runs),
      runs.length,
      headCommitJson(commit),
      pulls,
    ),
    repository,
    sender: simpleUser(s.urls, s.actor),
  });
}
