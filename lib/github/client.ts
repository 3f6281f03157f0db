/**
 * The one Octokit factory. Retry (5xx, network) and throttling (primary and secondary rate
 * limits) are always on; auth is a GitHub App installation (tokens minted and renewed by
 * @octokit/auth-app) or a plain token for development. Values come from the caller (lib/env.ts),
 * never from process.env here.
 */
import { createHash } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";

export const LadderOctokit = Octokit.plugin(retry, throttling);
export type LadderOctokit = InstanceType<typeof LadderOctokit>;

export type GitHubAuthConfig =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: number | string; privateKey: string; installationId: number };

export interface GitHubLogger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GitHubClientConfig {
  auth: GitHubAuthConfig;
  /** REST root: https://api.github.com (default) or GitHub Enterprise's http(s)://host/api/v3. */
  baseUrl?: string;
  userAgent?: string;
  /** Retries for 5xx and network failures (default 3). */
  retries?: number;
  /** Backoff unit for those retries: waits are unit × 1, 4, 9 … (default 1000 ms). */
  retryBaseMs?: number;
  /** Longest wait, in seconds, Ladder accepts to ride out a rate limit before failing (default 60). */
  maxRateLimitWaitSeconds?: number;
  /** Retries after a secondary rate limit (default 2). */
  secondaryRateLimitRetries?: number;
  /**
   * Minimum spacing of write requests in ms. Default: Octokit's (1 s; 3 s for requests that
   * notify people), which is GitHub's advice against secondary limits. Tests and benchmarks lower it.
   */
  writeSpacingMs?: number;
  log?: GitHubLogger;
}

export interface GitHubClient {
  readonly octokit: LadderOctokit;
  /** Normalised REST root without trailing slash. */
  readonly baseUrl: string;
  /** Identifies the installation or token (never contains the secret). */
  readonly key: string;
}

export const DEFAULT_BASE_URL = "https://api.github.com";

// @octokit/rest's request log reports every non-2xx (an expected 404 or 304 included) as an
// error; callers get a typed error instead, so those lines are noise by default.
const REQUEST_LOG_LINE = /^[A-Z]+ \S+ - \d{3} with id /;

const quietLog: GitHubLogger = {
  debug: () => {},
  info: () => {},
  warn: (message, ...rest) => console.warn(`[github] ${message}`, ...rest),
  error: (message, ...rest) => {
    if (!REQUEST_LOG_LINE.test(message)) console.error(`[github] ${message}`, ...rest);
  },
};

function normaliseBaseUrl(baseUrl: string | undefined): string {
  return (baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** Cache key: who we are on which GitHub, with the token hashed so it never sits in a key. */
export function clientKey(config: GitHubClientConfig): string {
  const base = normaliseBaseUrl(config.baseUrl);
  if (config.auth.kind === "app") return `${base}|app:${config.auth.appId}:${config.auth.installationId}`;
  const digest = createHash("sha256").update(config.auth.token).digest("hex").slice(0, 16);
  return `${base}|token:${digest}`;
}

/** A fresh client; prefer `getGitHubClient`, which keeps one per installation. */
export function createGitHubClient(config: GitHubClientConfig): GitHubClient {
  const baseUrl = normaliseBaseUrl(config.baseUrl);
  const log = config.log ?? quietLog;
  const maxWait = config.maxRateLimitWaitSeconds ?? 60;
  const secondaryRetries = config.secondaryRateLimitRetries ?? 2;
  const key = clientKey(config);

  const spacing =
    config.writeSpacingMs === undefined
      ? {}
      : {
          write: new Bottleneck.Group({ maxConcurrent: 1, minTime: config.writeSpacingMs }),
          notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: config.writeSpacingMs }),
        };

  const common = {
    baseUrl,
    userAgent: config.userAgent ?? "ladder",
    log,
    retry: { retries: config.retries ?? 3, retryAfterBaseValue: config.retryBaseMs ?? 1000 },
    throttle: {
      // Bottleneck groups are keyed by id: one pacing queue per installation per process.
      id: key,
      ...spacing,
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        if (retryCount < 1 && retryAfter <= maxWait) {
          log.warn(`rate limit hit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
          return true;
        }
        log.warn(`rate limit exhausted on ${options.method} ${options.url}; resets in ${retryAfter}s`);
        return false;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        options: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        if (retryCount < secondaryRetries && retryAfter <= maxWait) {
          log.warn(`secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
          return true;
        }
        return false;
      },
    },
  };

  const octokit =
    config.auth.kind === "app"
      ? new LadderOctokit({
          ...common,
          authStrategy: createAppAuth,
          auth: { appId: config.auth.appId, privateKey: config.auth.privateKey, installationId: config.auth.installationId },
        })
      : new LadderOctokit({ ...common, auth: config.auth.token });

  return { octokit, baseUrl, key };
}

// One instance per process per installation; kept on globalThis so Next's dev reloads reuse it.
const registry = globalThis as typeof globalThis & { __ladderGitHubClients?: Map<string, GitHubClient> };

export function getGitHubClient(config: GitHubClientConfig): GitHubClient {
  registry.__ladderGitHubClients ??= new Map();
  const key = clientKey(config);
  const existing = registry.__ladderGitHubClients.get(key);
  if (existing) return existing;
  const client = createGitHubClient(config);
  registry.__ladderGitHubClients.set(key, client);
  return client;
}

/** Forgets cached clients (tests, credential rotation). */
export function clearGitHubClients(): void {
  registry.__ladderGitHubClients?.clear();
}
