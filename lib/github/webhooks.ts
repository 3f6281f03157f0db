/**
 * GitHub webhook intake: verify `X-Hub-Signature-256` over the raw body (before any JSON
 * parsing, as GitHub signs bytes), then reduce `pull_request`, `push`, and the events that move
 * a pull request's review and check status (`pull_request_review`, `check_suite`, `status`) to
 * the few fields Ladder acts on. Everything else is acknowledged and ignored.
 */
import { Webhooks } from "@octokit/webhooks";
import { z } from "zod";

/**
 * GitHub does not deliver a payload over 25 MB (docs.github.com, "Webhook payload object"), so
 * a bigger body is not GitHub's and is refused before it is read whole.
 */
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

export class WebhookSignatureError extends Error {
  readonly status = 401;
  constructor(message = "Webhook signature does not match: check the webhook secret.") {
    super(message);
    this.name = "WebhookSignatureError";
  }
}

export class WebhookPayloadError extends Error {
  readonly status = 400;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebhookPayloadError";
  }
}

export interface PullRequestEvent {
  kind: "pull_request";
  deliveryId: string;
  action: string;
  /** "owner/repo" */
  repository: string;
  number: number;
  state: "open" | "merged" | "closed";
  url: string;
  branch: string;
  baseBranch: string;
  headSha: string;
  mergeCommitSha: string | null;
  mergedAt: string | null;
}

export interface PushEvent {
  kind: "push";
  deliveryId: string;
  repository: string;
  ref: string;
  /** Branch name when `ref` is a branch. */
  branch: string | undefined;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  /** Paths added, modified or removed by the pushed commits. */
  changedPaths: string[];
}

/** A review, a check suite or a commit status changed: the named pull requests' status is re-read. */
export interface MergeGateEvent {
  kind: "merge_gate";
  deliveryId: string;
  event: "pull_request_review" | "check_suite" | "status";
  /** e.g. submitted, dismissed, completed; for `status` its state (pending, success, failure, error). */
  action: string;
  repository: string;
  /** The pull requests the event names (a review's; a check suite's, when GitHub lists them). */
  pullNumbers: number[];
  /** The commit it is about (a check suite's head, a status's commit). */
  sha: string | undefined;
}

export interface IgnoredEvent {
  kind: "ignored";
  deliveryId: string;
  event: string;
}

export type GitHubWebhookEvent = PullRequestEvent | PushEvent | MergeGateEvent | IgnoredEvent;

const MERGE_GATE_EVENTS = new Set(["pull_request_review", "check_suite", "status"]);

const repositorySchema = z.object({ full_name: z.string() });

const pullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int(),
  repository: repositorySchema,
  pull_request: z.object({
    html_url: z.string(),
    state: z.enum(["open", "closed"]),
    merged: z.boolean().nullish(),
    merged_at: z.string().nullable(),
    merge_commit_sha: z.string().nullable(),
    head: z.object({ ref: z.string(), sha: z.string() }),
    base: z.object({ ref: z.string() }),
  }),
});

const pushPayload = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  created: z.boolean(),
  deleted: z.boolean(),
  repository: repositorySchema,
  commits: z.array(
    z.object({
      added: z.array(z.string()).default([]),
      modified: z.array(z.string()).default([]),
      removed: z.array(z.string()).default([]),
    }),
  ),
});

const reviewPayload = z.object({
  action: z.string(),
  repository: repositorySchema,
  pull_request: z.object({ number: z.number().int(), head: z.object({ sha: z.string() }) }),
});

const checkSuitePayload = z.object({
  action: z.string(),
  repository: repositorySchema,
  check_suite: z.object({
    head_sha: z.string(),
    pull_requests: z.array(z.object({ number: z.number().int() })).nullish(),
  }),
});

const statusPayload = z.object({ sha: z.string(), state: z.string(), repository: repositorySchema });

function mergeGateEvent(event: string, deliveryId: string, json: unknown): MergeGateEvent {
  const base = { kind: "merge_gate" as const, deliveryId };
  const fail = (error: z.ZodError) => new WebhookPayloadError(`Unexpected ${event} payload: ${error.message}`, { cause: error });
  if (event === "pull_request_review") {
    const parsed = reviewPayload.safeParse(json);
    if (!parsed.success) throw fail(parsed.error);
    const p = parsed.data;
    return {
      ...base,
      event,
      action: p.action,
      repository: p.repository.full_name,
      pullNumbers: [p.pull_request.number],
      sha: p.pull_request.head.sha,
    };
  }
  if (event === "check_suite") {
    const parsed = checkSuitePayload.safeParse(json);
    if (!parsed.success) throw fail(parsed.error);
    const p = parsed.data;
    return {
      ...base,
      event,
      action: p.action,
      repository: p.repository.full_name,
      pullNumbers: (p.check_suite.pull_requests ?? []).map((pr) => pr.number),
      sha: p.check_suite.head_sha,
    };
  }
  const parsed = statusPayload.safeParse(json);
  if (!parsed.success) throw fail(parsed.error);
  const p = parsed.data;
  return { ...base, event: "status", action: p.state, repository: p.repository.full_name, pullNumbers: [], sha: p.sha };
}

// One verifier per secret; the secret is fixed per deployment, so this stays tiny.
const verifiers = new Map<string, Webhooks>();

export async function verifyWebhookSignature(
  secret: string,
  rawBody: string,
  signature: string | null | undefined,
): Promise<boolean> {
  if (!signature || !secret) return false;
  let verifier = verifiers.get(secret);
  if (!verifier) {
    verifier = new Webhooks({ secret });
    verifiers.set(secret, verifier);
  }
  try {
    return await verifier.verify(rawBody, signature);
  } catch {
    // A malformed signature header is a mismatch, not a server error.
    return false;
  }
}

export interface WebhookRequest {
  /** The body exactly as received. */
  rawBody: string;
  /** Header lookup (e.g. `(name) => request.headers.get(name)`). */
  header: (name: string) => string | null | undefined;
  secret: string;
}

/** Verifies and parses one delivery; throws WebhookSignatureError or WebhookPayloadError. */
export async function parseWebhook(request: WebhookRequest): Promise<GitHubWebhookEvent> {
  if (!(await verifyWebhookSignature(request.secret, request.rawBody, request.header("x-hub-signature-256"))))
    throw new WebhookSignatureError();
  const event = request.header("x-github-event") ?? "";
  const deliveryId = request.header("x-github-delivery") ?? "";
  if (!deliveryId) throw new WebhookPayloadError("Missing X-GitHub-Delivery header.");
  if (event !== "pull_request" && event !== "push" && !MERGE_GATE_EVENTS.has(event))
    return { kind: "ignored", deliveryId, event };

  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch (error) {
    throw new WebhookPayloadError("Webhook body is not JSON.", { cause: error });
  }

  if (MERGE_GATE_EVENTS.has(event)) return mergeGateEvent(event, deliveryId, json);

  if (event === "pull_request") {
    const parsed = pullRequestPayload.safeParse(json);
    if (!parsed.success)
      throw new WebhookPayloadError(`Unexpected pull_request payload: ${parsed.error.message}`, { cause: parsed.error });
    const { pull_request: pr, ...rest } = parsed.data;
    const merged = pr.merged === true || pr.merged_at !== null;
    return {
      kind: "pull_request",
      deliveryId,
      action: rest.action,
      repository: rest.repository.full_name,
      number: rest.number,
      state: merged ? "merged" : pr.state,
      url: pr.html_url,
      branch: pr.head.ref,
      baseBranch: pr.base.ref,
      headSha: pr.head.sha,
      mergeCommitSha: merged ? pr.merge_commit_sha : null,
      mergedAt: pr.merged_at,
    };
  }

  const parsed = pushPayload.safeParse(json);
  if (!parsed.success) throw new WebhookPayloadError(`Unexpected push payload: ${parsed.error.message}`, { cause: parsed.error });
  const p = parsed.data;
  const changed = new Set<string>();
  for (const c of p.commits) for (const path of [...c.added, ...c.modified, ...c.removed]) changed.add(path);
  return {
    kind: "push",
    deliveryId,
    repository: p.repository.full_name,
    ref: p.ref,
    branch: p.ref.startsWith("refs/heads/") ? p.ref.slice("refs/heads/".length) : undefined,
    before: p.before,
    after: p.after,
    created: p.created,
    deleted: p.deleted,
    changedPaths: [...changed].sort(),
  };
}
