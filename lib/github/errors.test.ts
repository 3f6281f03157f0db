import { describe, expect, it } from "vitest";
import {
  AppNotInstalledError,
  BadCredentialsError,
  ConflictError,
  formatUtc,
  GitHubUnreachableError,
  RateLimitedError,
  RefNotFoundError,
  RepoNotFoundError,
  toGitHubError,
} from "./errors";

const context = { repository: "acme/gitops", baseUrl: "https://api.github.com" };

function httpError(
  status: number,
  options: { headers?: Record<string, string>; data?: unknown; url?: string; response?: boolean } = {},
): Error {
  return Object.assign(new Error(`HTTP ${status}`), {
    name: "HttpError",
    status,
    request: { method: "GET", url: options.url ?? "https://api.github.com/repos/acme/gitops" },
    ...(options.response === false
      ? {}
      : { response: { status, headers: options.headers ?? {}, data: options.data ?? { message: "x" } } }),
  });
}

describe("toGitHubError", () => {
  it("names the repository when the App is not installed", () => {
    const error = toGitHubError(httpError(404, { url: "https://api.github.com/app/installations/9/access_tokens" }), context);
    expect(error).toBeInstanceOf(AppNotInstalledError);
    expect(error.message).toBe(
      "GitHub App not installed on acme/gitops: install it on the repository or fix the installation id.",
    );
  });

  it("says until when the rate limit is exhausted", () => {
    const reset = Date.UTC(2025, 2, 1, 14, 5, 0) / 1000;
    const error = toGitHubError(
      httpError(403, { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } }),
      context,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toBe("GitHub rate limit exhausted until 14:05 UTC.");
    expect(formatUtc(new Date(reset * 1000))).toBe("14:05");
  });

  it("maps a secondary limit, 401, 404 and 422", () => {
    expect(toGitHubError(httpError(403, { headers: { "retry-after": "30" } }), context)).toMatchObject({
      code: "rate-limited",
      secondary: true,
    });
    expect(toGitHubError(httpError(401), context)).toBeInstanceOf(BadCredentialsError);
    expect(toGitHubError(httpError(404), context)).toBeInstanceOf(RepoNotFoundError);
    expect(toGitHubError(httpError(404), { ...context, ref: "main" })).toBeInstanceOf(RefNotFoundError);
    const conflict = toGitHubError(
      httpError(422, { data: { message: "Validation Failed", errors: [{ message: "No commits between main and x" }] } }),
      context,
    );
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict.message).toContain("Validation Failed: No commits between main and x");
  });

  it("treats 5xx and transport failures as unreachable, keeping the cause", () => {
    const server = toGitHubError(httpError(502), context);
    expect(server).toBeInstanceOf(GitHubUnreachableError);
    expect(server.message).toContain("HTTP 502");
    const network = httpError(500, { response: false });
    expect(toGitHubError(network, context).cause).toBe(network);
    expect(toGitHubError(new TypeError("fetch failed"), context)).toBeInstanceOf(GitHubUnreachableError);
  });

  it("passes typed errors through", () => {
    const typed = new BadCredentialsError();
    expect(toGitHubError(typed, context)).toBe(typed);
  });
});
