/**
 * The process's RepositoryService and GitHub client, built once from the
 * environment. Ladder has exactly one GitHub path: Octokit against
 * GITHUB_API_URL (github.com, GitHub Enterprise, or the local test server).
 */
import { githubWebUrl, type ServerEnv, serverEnv } from "../env";
import { type GitHubClient, getGitHubClient } from "../github/client";
import { createGitHubReader } from "../github/github-reader";
import { RepositoryService } from "./repository-service";

export class RepositoryNotConfiguredError extends Error {
  constructor(what: string) {
    super(what);
    this.name = "RepositoryNotConfiguredError";
  }
}

const globalForRepo = globalThis as unknown as { ladderRepository?: { key: string; service: RepositoryService } };

export function githubClientFromEnv(env: ServerEnv = serverEnv()): GitHubClient {
  if (env.githubAuth.kind === "none") {
    throw new RepositoryNotConfiguredError(
      "No GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID.",
    );
  }
  const auth =
    env.githubAuth.kind === "app"
      ? {
          kind: "app" as const,
          appId: env.githubAuth.appId,
          privateKey: env.githubAuth.privateKey,
          installationId: env.githubAuth.installationId,
        }
      : { kind: "token" as const, token: env.githubAuth.token };
  return getGitHubClient({ auth, baseUrl: env.GITHUB_API_URL, writeSpacingMs: env.GITHUB_WRITE_SPACING_MS });
}

/** The configured repository, or a RepositoryNotConfiguredError saying what is missing. */
export function repositoryFromEnv(env: ServerEnv = serverEnv()): RepositoryService {
  if (!env.LADDER_REPOSITORY) {
    throw new RepositoryNotConfiguredError("No GitOps repository: set LADDER_REPOSITORY to owner/name.");
  }
  const key = `${env.GITHUB_API_URL}|${env.LADDER_REPOSITORY}|${env.LADDER_BRANCH}`;
  if (globalForRepo.ladderRepository?.key !== key) {
    const client = githubClientFromEnv(env);
    const [owner = "", repo = ""] = env.LADDER_REPOSITORY.split("/");
    // Trees are kept for the last-change walk over recent commits.
    const reader = createGitHubReader({ client, owner, repo, defaultBranch: env.LADDER_BRANCH, treeCacheSize: 64 });
    const service = new RepositoryService({
      repository: env.LADDER_REPOSITORY,
      branch: env.LADDER_BRANCH,
      reader,
      webUrl: `${githubWebUrl(env.GITHUB_API_URL)}/${env.LADDER_REPOSITORY}`,
    });
    globalForRepo.ladderRepository = { key, service };
  }
  return globalForRepo.ladderRepository.service;
}
