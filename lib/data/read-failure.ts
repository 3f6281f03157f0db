import "server-only";
import { GitHubError } from "../github/errors";
import { RepositoryNotConfiguredError } from "../repository-service/from-env";

/** What an error screen needs to explain a failed read, safe to send to the browser. */
export interface ReadFailure {
  kind: "not-configured" | "unreachable" | "rate-limited" | "bad-credentials" | "not-found" | "empty" | "other";
  title: string;
  message: string;
  resetAt?: string;
}

export function describeReadFailure(error: unknown): ReadFailure {
  if (error instanceof RepositoryNotConfiguredError) {
    return { kind: "not-configured", title: "No GitOps repository connected yet", message: error.message };
  }
  if (error instanceof GitHubError) {
    switch (error.code) {
      case "rate-limited": {
        const resetAt = "resetAt" in error && error.resetAt instanceof Date ? error.resetAt.toISOString() : undefined;
        return { kind: "rate-limited", title: "GitHub rate limit reached", message: error.message, resetAt };
      }
      case "unreachable":
        return { kind: "unreachable", title: "GitHub is unreachable", message: error.message };
      case "bad-credentials":
      case "app-not-installed":
        return { kind: "bad-credentials", title: "GitHub refused Ladder's credentials", message: error.message };
      case "repo-not-found":
      case "ref-not-found":
        return { kind: "not-found", title: "Repository or branch not found", message: error.message };
      default:
        return { kind: "other", title: "Reading the repository failed", message: error.message };
    }
  }
  return {
    kind: "other",
    title: "Reading the repository failed",
    message: error instanceof Error ? error.message : String(error),
  };
}
