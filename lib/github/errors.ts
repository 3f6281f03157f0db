/**
 * Typed GitHub failures with messages a person can act on. Route handlers map `status` to the
 * HTTP answer; pages show `message`. The Octokit error stays attached as `cause`.
 */
/**
 * The shape of Octokit's `RequestError`, checked structurally so lib/github does not depend on
 * `@octokit/request-error` directly (and survives two copies of it in node_modules).
 */
export interface OctokitRequestError extends Error {
  status: number;
  request?: { method?: string; url?: string };
  response?: { status: number; headers: Record<string, string | number | undefined>; data?: unknown };
}

export function isRequestError(error: unknown): error is OctokitRequestError {
  return error instanceof Error && error.name === "HttpError" && typeof (error as { status?: unknown }).status === "number";
}

export type GitHubErrorCode =
  | "bad-credentials"
  | "app-not-installed"
  | "repo-not-found"
  | "ref-not-found"
  | "truncated-tree"
  | "blob-too-large"
  | "unreachable"
  | "rate-limited"
  | "stale-view"
  | "conflict"
  | "unexpected";

export class GitHubError extends Error {
  readonly code: GitHubErrorCode;
  /** HTTP status a route handler should answer with. */
  readonly status: number;

  constructor(code: GitHubErrorCode, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

export class BadCredentialsError extends GitHubError {
  constructor(options?: { cause?: unknown }) {
    super(
      "bad-credentials",
      "GitHub rejected Ladder's credentials (401 Bad credentials): check the token or the GitHub App's id and private key.",
      502,
      options,
    );
  }
}

export class AppNotInstalledError extends GitHubError {
  constructor(
    readonly repository: string,
    options?: { cause?: unknown },
  ) {
    super(
      "app-not-installed",
      `GitHub App not installed on ${repository}: install it on the repository or fix the installation id.`,
      502,
      options,
    );
  }
}

export class RepoNotFoundError extends GitHubError {
  constructor(
    readonly repository: string,
    options?: { cause?: unknown },
  ) {
    super("repo-not-found", `Repository ${repository} not found, or Ladder's credentials cannot see it.`, 404, options);
  }
}

export class RefNotFoundError extends GitHubError {
  constructor(
    readonly repository: string,
    readonly ref: string,
    options?: { cause?: unknown },
  ) {
    super("ref-not-found", `Branch or commit "${ref}" not found in ${repository}.`, 404, options);
  }
}

export class TruncatedTreeError extends GitHubError {
  constructor(
    readonly repository: string,
    readonly commit: string,
    options?: { cause?: unknown },
  ) {
    super(
      "truncated-tree",
      `The tree of ${repository} at ${commit.slice(0, 12)} is too large for one GitHub request (truncated): use a local checkout or split the repository.`,
      422,
      options,
    );
  }
}

export class BlobTooLargeError extends GitHubError {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super("blob-too-large", `${path} is ${formatBytes(size)}, over Ladder's ${formatBytes(limit)} limit for a config file.`, 422);
  }
}

export class GitHubUnreachableError extends GitHubError {
  constructor(
    readonly baseUrl: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("unreachable", `GitHub at ${baseUrl} is unreachable or failing (${detail}); try again shortly.`, 503, options);
  }
}

export class RateLimitedError extends GitHubError {
  constructor(
    /** When requests may resume. */
    readonly resetAt: Date,
    readonly secondary: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      "rate-limited",
      secondary
        ? `GitHub secondary rate limit hit; retry after ${formatUtc(resetAt)} UTC.`
        : `GitHub rate limit exhausted until ${formatUtc(resetAt)} UTC.`,
      429,
      options,
    );
  }
}

export class StaleViewError extends GitHubError {
  constructor(
    readonly path: string,
    readonly expectedSha: string,
    readonly actualSha: string | undefined,
    readonly head: string,
  ) {
    super(
      "stale-view",
      `${path} changed since you looked (now at ${head.slice(0, 12)}); reload and review the promotion again.`,
      409,
    );
  }
}

export class ConflictError extends GitHubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("conflict", message, 409, options);
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

/** "14:05" — the minute a person waits for. */
export function formatUtc(date: Date): string {
  return date.toISOString().slice(11, 16);
}

export interface ErrorContext {
  /** "owner/repo" */
  repository: string;
  baseUrl: string;
  /** Set when the request looked up a ref, so a 404 names the branch rather than the repo. */
  ref?: string;
}

function header(error: OctokitRequestError, name: string): string | undefined {
  const value = error.response?.headers[name];
  return value === undefined ? undefined : String(value);
}

/** A message from GitHub's error body, including the `errors[]` detail of a 422. */
export function githubMessage(error: unknown): string {
  if (!isRequestError(error)) return error instanceof Error ? error.message : String(error);
  const data = error.response?.data;
  if (typeof data === "object" && data !== null) {
    const body = data as { message?: unknown; errors?: unknown };
    const details = Array.isArray(body.errors)
      ? body.errors
          .map((e) => (typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : ""))
          .filter(Boolean)
      : [];
    const message = typeof body.message === "string" ? body.message : error.message;
    return details.length > 0 ? `${message}: ${details.join("; ")}` : message;
  }
  return error.message;
}

/** Octokit (or network) failure → the typed error a person can act on. Typed errors pass through. */
export function toGitHubError(error: unknown, context: ErrorContext): GitHubError {
  if (error instanceof GitHubError) return error;
  if (!isRequestError(error)) {
    return new GitHubUnreachableError(context.baseUrl, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const status = error.status;
  const url = error.request?.url ?? "";
  if (/\/app\/installations\/[^/]+\/access_tokens/.test(url) && (status === 404 || status === 403)) {
    return new AppNotInstalledError(context.repository, { cause: error });
  }
  if (status === 401) return new BadCredentialsError({ cause: error });
  if (status === 403 || status === 429) {
    const remaining = header(error, "x-ratelimit-remaining");
    const retryAfter = header(error, "retry-after");
    if (remaining === "0") {
      const reset = Number(header(error, "x-ratelimit-reset") ?? 0);
      return new RateLimitedError(new Date(reset > 0 ? reset * 1000 : Date.now() + 60_000), false, { cause: error });
    }
    if (retryAfter !== undefined || /secondary rate/i.test(githubMessage(error))) {
      return new RateLimitedError(new Date(Date.now() + Number(retryAfter ?? 60) * 1000), true, { cause: error });
    }
  }
  if (status === 404) {
    return context.ref
      ? new RefNotFoundError(context.repository, context.ref, { cause: error })
      : new RepoNotFoundError(context.repository, { cause: error });
  }
  if (status === 409 || status === 422)
    return new ConflictError(`GitHub refused the change to ${context.repository}: ${githubMessage(error)}`, { cause: error });
  // Octokit reports transport failures (refused, reset, DNS) as status 500 without a response.
  if (status >= 500 || error.response === undefined) {
    const cause = error.cause instanceof Error ? error.cause.message : githubMessage(error);
    return new GitHubUnreachableError(context.baseUrl, error.response ? `HTTP ${status}` : cause, { cause: error });
  }
  return new GitHubError("unexpected", `GitHub answered ${status} for ${context.repository}: ${githubMessage(error)}`, 502, {
    cause: error,
  });
}
