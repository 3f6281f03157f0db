/**
 * A GitHub-compatible HTTP server for tests and the demo: the REST endpoints Ladder calls, backed
 * by a real bare git repository, every request and response checked against GitHub's OpenAPI
 * description. Also: merging pull requests, signed webhooks, fault injection, request counters.
 *
 * This file starts it and routes each request to its part: `/_control/` (control.ts),
 * `/login/oauth/` (oauth.ts), the web pages under `/<owner>/<repo>` (pulls.ts), and the API
 * (api.ts, with the endpoints in git-endpoints.ts, pulls.ts, auth-endpoints.ts and graphql.ts).
 */
import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleApi } from "./api";
import { registerAuthEndpoints } from "./auth-endpoints";
import { registerCheckEndpoints } from "./checks";
import type { StandIn } from "./context";
import { createControl, type GitHubServerControl, handleControl } from "./control";
import { FaultInjector } from "./faults";
import { registerGitEndpoints } from "./git-endpoints";
import { GitStore } from "./git-store";
import { basicError, iso, stableId } from "./github-objects";
import { registerGraphql } from "./graphql";
import { RateLimit, RouteTable, sender } from "./http";
import { MergeGateState } from "./merge-gates";
import { type OAuthOptions, OAuthProvider } from "./oauth";
import { OpenApiValidator } from "./openapi-validator";
import { handlePullPage, PullState, registerPullEndpoints } from "./pulls";
import { registerReviewEndpoints } from "./reviews";
import { WebhookState } from "./webhooks";

export type { CommitOptions, GitHubServerControl } from "./control";
export type { WebhookDelivery } from "./webhooks";

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

export async function startGitHubServer(options: StartGitHubServerOptions = {}): Promise<GitHubServer> {
  const owner = options.owner ?? "acme";
  const repoName = options.repo ?? "gitops";
  const defaultBranch = options.defaultBranch ?? "main";
  const repoDir = options.repoDir ?? (await mkdtemp(join(tmpdir(), "ladder-gh-")));
  const store = await GitStore.init(repoDir, defaultBranch);
  const rate = new RateLimit();
  const s: StandIn = {
    owner,
    repoName,
    defaultBranch,
    actor: options.actor ?? "ladder-bot",
    strict: options.strict ?? true,
    identity: {
      owner,
      name: repoName,
      id: stableId(`repo:${owner}/${repoName}`),
      defaultBranch,
      createdAt: iso(Math.floor(Date.now() / 1000)),
    },
    store,
    validator: new OpenApiValidator(),
    oauth: new OAuthProvider(options.oauth),
    faults: new FaultInjector(),
    pulls: new PullState(repoDir),
    gates: new MergeGateState(repoDir),
    webhooks: new WebhookState(options.webhookUrl, options.webhookSecret ?? ""),
    rate,
    send: sender(rate),
    tokens: new Set(options.tokens ?? ["test-token"]),
    installations: options.installations ?? [{ id: 1, repositories: [`${owner}/${repoName}`] }],
    urls: { web: "http://127.0.0.1", api: "http://127.0.0.1/api/v3" },
    pushedAt: iso(Math.floor(Date.now() / 1000)),
    treeEntryLimit: options.treeEntryLimit ?? 100_000,
    counters: {},
    violations: [],
  };

  const routes = new RouteTable();
  registerAuthEndpoints(routes, s);
  registerGitEndpoints(routes, s);
  registerPullEndpoints(routes, s);
  registerReviewEndpoints(routes, s);
  registerCheckEndpoints(routes, s);
  registerGraphql(routes, s);
  const control = createControl(s);

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
      ? handleControl(s, control, req, res, path)
      : path.startsWith("/login/oauth/")
        ? s.oauth.handle(req, res, path, url.searchParams).then((handled) => {
            if (!handled) s.send(res, 404, basicError(s.urls, "Not Found", 404));
          })
        : path === webPrefix || path.startsWith(`${webPrefix}/`)
          ? handlePullPage(s, req, res, path.slice(webPrefix.length), url.searchParams)
          : handleApi(s, routes, req, res, path, url.searchParams);
    // Anything that may have changed pull requests, reviews or checks is saved once it is done.
    if (req.method !== "GET")
      void work.then(
        () => {
          s.pulls.persist();
          s.gates.persist();
        },
        () => undefined,
      );
    work.catch((error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      // The client went away mid-request (killed, timed out): nothing to answer, no API violation.
      if (req.destroyed && detail === "aborted") return;
      s.violations.push({
        operationId: `${req.method} ${path}`,
        phase: "response",
        status: 500,
        detail: `server error: ${detail}`,
      });
      if (!res.headersSent) s.send(res, 500, basicError(s.urls, detail, 500));
      else res.end();
    });
  });
  // Octokit keeps connections alive; a short idle timeout lets stop() finish promptly.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolvePromise) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolvePromise));
  const address = server.address() as AddressInfo;
  const web = `http://${options.host ?? "127.0.0.1"}:${address.port}`;
  s.urls = { web, api: `${web}/api/v3` };

  if (options.seed) await control.seed(options.seed);

  return {
    url: web,
    apiBaseUrl: s.urls.api,
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
