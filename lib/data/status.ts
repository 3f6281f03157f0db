import "server-only";
import { db } from "../db/client";
import { describeDatabaseError } from "../db/errors";
import { serverEnv } from "../env";

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
