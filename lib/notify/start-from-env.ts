/**
 * The server's notification worker, started once per process from instrumentation.ts beside
 * the rest of the server's start-up, with the process's database, repository and public URL.
 * Without a database or a repository there is nothing to notify of, and it says so once.
 */
import { db } from "../db/client";
import { serverEnv } from "../env";
import { repositoryFromEnv } from "../repository-service/from-env";
import { type RunningWorker, startDeliveryLoop } from "./delivery-worker";
import { routingFromRepository } from "./routing";

const globalForNotify = globalThis as unknown as { ladderNotifications?: RunningWorker };

export function startNotificationsFromEnv(): RunningWorker | undefined {
  if (globalForNotify.ladderNotifications) return globalForNotify.ladderNotifications;
  try {
    const env = serverEnv();
    if (!env.DATABASE_URL || !env.LADDER_REPOSITORY) {
      console.log("[notify] notifications are off: no DATABASE_URL or LADDER_REPOSITORY in this process");
      return undefined;
    }
    const repo = repositoryFromEnv(env);
    globalForNotify.ladderNotifications = startDeliveryLoop({
      db: db(),
      repository: repo.repository,
      routing: routingFromRepository(repo),
      ...(env.LADDER_PUBLIC_URL ? { publicUrl: env.LADDER_PUBLIC_URL } : {}),
    });
    return globalForNotify.ladderNotifications;
  } catch (error) {
    // The rest of the server works without notifications; say why they are off.
    console.error("[notify] could not start the notification worker", error);
    return undefined;
  }
}
