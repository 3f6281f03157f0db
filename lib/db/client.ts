/**
 * The one Prisma client. Created on first use and cached on globalThis so that
 * Next's dev-mode module reloads do not open a new pool each time.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { serverEnv } from "../env";
import { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { ladderPrisma?: PrismaClient; ladderPrismaUrl?: string };

export class DatabaseNotConfiguredError extends Error {
  constructor() {
    super(
      "DATABASE_URL is not set in this process. Start Ladder with `npm start` (or `npm run dev`), which starts the embedded database and passes its URL on.",
    );
    this.name = "DatabaseNotConfiguredError";
  }
}

/** A client for an explicit URL (tests, the CLI). The caller disconnects it. */
export function createDb(databaseUrl: string, options: { poolMax?: number } = {}): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: options.poolMax ?? 10 }),
    // Prisma waits 2 s for a pooled connection before failing a transaction. In a burst (many
    // webhook deliveries, a queue of promotions) that turns a busy moment into a lost delivery:
    // wait longer, since every transaction here is short.
    transactionOptions: { maxWait: 15_000, timeout: 20_000 },
  });
}

/** The process-wide client for DATABASE_URL. */
export function db(): PrismaClient {
  const env = serverEnv();
  const url = env.DATABASE_URL;
  if (!url) throw new DatabaseNotConfiguredError();
  if (!globalForDb.ladderPrisma || globalForDb.ladderPrismaUrl !== url) {
    globalForDb.ladderPrisma = createDb(url, { poolMax: env.DATABASE_POOL_MAX });
    globalForDb.ladderPrismaUrl = url;
  }
  return globalForDb.ladderPrisma;
}
