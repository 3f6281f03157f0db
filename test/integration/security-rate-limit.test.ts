/**
 * Attack: one person fires many promotions at once (or across replicas). The Postgres-backed
 * limiter counts them with one atomic upsert, so exactly `limit` pass however they interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimitedError } from "@/lib/auth/errors";
import { createRateLimiter, postgresRateLimitStore } from "@/lib/auth/rate-limit";
import { createDb, type Db } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

let database: TestDatabase;
let replicas: Db[];

beforeAll(async () => {
  database = await createTestDatabase("ladder_ratelimit");
  await migrate(database.url, { log: () => {} });
  // Two clients stand in for two replicas sharing the database.
  replicas = [createDb(database.url), createDb(database.url)];
});

afterAll(async () => {
  await Promise.all((replicas ?? []).map((r) => r.$disconnect()));
  await database?.drop();
});

describe("per-user promote limit in Postgres", () => {
  it("lets exactly `limit` of 20 concurrent attempts through, across replicas", async () => {
    const limiters = (replicas ?? []).map((db) =>
      createRateLimiter({ store: postgresRateLimitStore(() => db), limit: 5, windowMs: 60_000 }),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => limiters[i % limiters.length]?.consume("promote:github:mallory")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(15);
    expect(refused.every((r) => r.reason instanceof RateLimitedError && r.reason.retryAfterSeconds > 0)).toBe(true);
    // Someone else's budget is untouched.
    await expect(limiters[0]?.consume("promote:github:alice")).resolves.toBeUndefined();
  });

  it("starts a new window once the old one is over", async () => {
    const limiter = createRateLimiter({ store: postgresRateLimitStore(() => replicas[0] as Db), limit: 1, windowMs: 300 });
    await limiter.consume("promote:github:bob");
    await expect(limiter.consume("promote:github:bob")).rejects.toBeInstanceOf(RateLimitedError);
    await new Promise((r) => setTimeout(r, 400));
    await expect(limiter.consume("promote:github:bob")).resolves.toBeUndefined();
  });
});
