/**
 * The control API: what tests, the benchmarks and the demo use to arrange "GitHub" and look
 * inside it — commit or seed files, merge and close pull requests, review them, report statuses
 * and checks, protect branches (gate-control.ts), inject faults, read request counters,
 * violations and webhook deliveries, reset. In process as `server.control`, over HTTP
 * under `/_control/` (for Playwright and anything outside the process).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StandIn } from "./context";
import type { FaultRule } from "./faults";
import { createGateControl, type GateControl, handleGateControl } from "./gate-control";
import type { GitStore } from "./git-store";
import type { PullRecord } from "./github-objects";
import { readBody, record, str } from "./http";
import type { OAuthProvider } from "./oauth";
import type { OpenApiValidator, Violation } from "./openapi-validator";
import { closePullRequest, mergePullRequest } from "./pulls";
import { announcePush, type WebhookDelivery } from "./webhooks";

export interface CommitOptions {
  branch?: string;
  message?: string;
  author?: { name: string; email: string };
  /** Commit time (for "since when" evidence). */
  date?: Date;
  /** Replace the whole tree with `files` instead of changing only them. */
  replaceAll?: boolean;
}

export interface GitHubServerControl extends GateControl {
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

export function createControl(s: StandIn): GitHubServerControl {
  const { store, faults, defaultBranch } = s;
  const control: GitHubServerControl = {
    ...createGateControl(s),
    oauth: s.oauth,
    store,
    validator: s.validator,
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
      await announcePush(s, `refs/heads/${branch}`, before, after);
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
    mergePullRequest: (number, method = "merge") => mergePullRequest(s, number, method),
    async closePullRequest(number) {
      closePullRequest(s, number);
    },
    pullRequests: () => s.pulls.list,
    comments: (number) => s.pulls.comments.get(number) ?? [],
    injectFault: (rule) => faults.add(rule),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    counters: () => ({ ...s.counters }),
    totalRequests: () => Object.values(s.counters).reduce((a, b) => a + b, 0),
    resetCounters: () => {
      s.counters = {};
    },
    violations: () => s.violations,
    clearViolations: () => {
      s.violations = [];
    },
    deliveries: () => s.webhooks.deliveries,
    flushWebhooks: () => s.webhooks.flush(),
    setWebhook(url, secret) {
      s.webhooks.url = url;
      if (secret !== undefined) s.webhooks.secret = secret;
    },
    setTreeEntryLimit(limit) {
      s.treeEntryLimit = limit;
    },
    reset() {
      faults.clear();
      s.counters = {};
      s.violations = [];
      s.webhooks.reset();
      s.rate.refill();
    },
  };
  return control;
}

/** `/_control/<action>`: the control API over HTTP, JSON in and out. */
export async function handleControl(
  s: StandIn,
  control: GitHubServerControl,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const { send, oauth } = s;
  const method = req.method ?? "GET";
  const body = record(method === "GET" ? undefined : await readBody(req));
  const ok = (value: unknown) => send(res, 200, value ?? { ok: true });
  const action = path.slice("/_control/".length);
  if (await handleGateControl(s, control, req, res, action, body)) return;
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
