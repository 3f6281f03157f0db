import "server-only";
import { db } from "../db/client";
import { describeDatabaseError } from "../db/errors";
import { serverEnv } from "../env";
import { RepositoryNotConfiguredError, repositoryFromEnv } from "../repository-service/from-env";

export interface SystemStatus {
  database: { ok: true; promotions: number; migrations: number } | { ok: false; message: string };
  repository: string | null;
  branch: string;
  githubApiUrl: string;
  githubAuth: "app" | "token" | "none";
}

/** What the dashboard shell shows before a repository is connected. */
export async function getSystemStatus(): Promise<SystemStatus> {
  const env = serverEnv();
  return {
    database: await checkDatabase(),
    repository: env.LADDER_REPOSITORY ?? null,
    branch: env.LADDER_BRANCH,
    githubApiUrl: env.GITHUB_API_URL,
    githubAuth: env.githubAuth.kind,
  };
}

/**
 * Up or down, for the answer anyone may poll: the database answers and has Ladder's tables.
 * One row at most (LIMIT 1), where the dashboard's counts read whole tables.
 */
export async function pingDatabase(): Promise<boolean> {
  try {
    await db().promotion.findFirst({ select: { id: true } });
    return true;
  } catch (error) {
    console.error("database check failed", error);
    return false;
  }
}

export async function checkDatabase(): Promise<SystemStatus["database"]> {
  const url = serverEnv().DATABASE_URL ?? "";
  try {
    const client = db();
    const [promotions, migrations] = await Promise.all([
      client.promotion.count(),
      client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`,
    ]);
    return { ok: true, promotions, migrations: migrations[0]?.n ?? 0 };
  } catch (error) {
    console.error("database check failed", error);
    return { ok: false, message: describeDatabaseError(error, url) };
  }
}

export type GitHubStatus =
  | { ok: true; repository: string; checkedAt: string }
  | { ok: false; message: string; checkedAt: string }
  | { ok: null; message: string };

let lastGitHubCheck: { at: number; result: Promise<GitHubStatus> } | undefined;

/**
 * Can Ladder read its repository's branch head? One conditional request
 * (GitHub does not charge a 304), at most every 30 s however often the
 * health endpoint is polled, and never longer than 5 s.
 */
export function checkGitHub(): Promise<GitHubStatus> {
  const now = Date.now();
  if (lastGitHubCheck && now - lastGitHubCheck.at < 30_000) return lastGitHubCheck.result;
  const result = (async (): Promise<GitHubStatus> => {
    let service: ReturnType<typeof repositoryFromEnv>;
    try {
      service = repositoryFromEnv();
    } catch (error) {
      if (error instanceof RepositoryNotConfiguredError) return { ok: null, message: error.message };
      throw error;
    }
    const checkedAt = new Date().toISOString();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000).unref());
    try {
      await Promise.race([service.reader.snapshot(service.branch), timeout]);
      return { ok: true, repository: service.repository, checkedAt };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error), checkedAt };
    }
  })();
  lastGitHubCheck = { at: now, result };
  return result;
}
