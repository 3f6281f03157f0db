/**
 * A fixed-window limiter for promotions per person. The Postgres store keeps one row per
 * (user, window) key and counts with a single atomic upsert, so every replica shares the
 * same budget; the memory store is per process (tests, or a single replica).
 */
import { RateLimitedError } from "./errors";

export interface RateLimitStore {
  /** Counts one hit for `key` and returns the count in the current window and when the window started. */
  hit(key: string, windowMs: number): Promise<{ count: number; windowStart: Date }>;
}

export function memoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key, windowMs) {
      const t = now();
      const current = windows.get(key);
      const next =
        current && t - current.start < windowMs ? { start: current.start, count: current.count + 1 } : { start: t, count: 1 };
      windows.set(key, next);
      return { count: next.count, windowStart: new Date(next.start) };
    },
  };
}

/** The minimal slice of the Prisma client the Postgres store needs. */
export interface RawQueryClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export function postgresRateLimitStore(client: () => RawQueryClient): RateLimitStore {
  return {
    async hit(key, windowMs) {
      // One statement: a concurrent hit on another replica either sees this row or conflicts into it.
      const rows = await client().$queryRawUnsafe<{ count: number; window_start: Date }[]>(
        `INSERT INTO auth_rate_limit (key, window_start, count) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN auth_rate_limit.window_start <= now() - make_interval(secs => $2::double precision / 1000) THEN 1 ELSE auth_rate_limit.count + 1 END,
           window_start = CASE WHEN auth_rate_limit.window_start <= now() - make_interval(secs => $2::double precision / 1000) THEN now() ELSE auth_rate_limit.window_start END
         RETURNING count, window_start`,
        key,
        windowMs,
      );
      const row = rows[0];
      if (!row) throw new Error("rate limit upsert returned no row");
      return { count: Number(row.count), windowStart: new Date(row.window_start) };
    },
  };
}

export interface RateLimiter {
  /** Counts one attempt; throws RateLimitedError past the limit. */
  consume(key: string): Promise<void>;
}

export function createRateLimiter(options: {
  store: RateLimitStore;
  limit: number;
  windowMs: number;
  now?: () => number;
}): RateLimiter {
  const now = options.now ?? Date.now;
  return {
    async consume(key) {
      const { count, windowStart } = await options.store.hit(key, options.windowMs);
      if (count > options.limit) {
        const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + options.windowMs - now()) / 1000));
        throw new RateLimitedError(retryAfter, options.limit);
      }
    },
  };
}
