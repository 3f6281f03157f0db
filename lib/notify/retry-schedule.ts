/**
 * When a failed notification is tried again: exponential backoff with jitter, capped, until a
 * horizon after which the delivery is given up (DEAD, kept for the drawer). Jitter spreads the
 * retries of many deliveries that failed together (a receiver that went down) so they do not
 * arrive back in one burst when it recovers.
 */

export interface RetryPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
  /** How long after it was created a delivery is still tried. */
  horizonMs: number;
  /** Share of each delay that is random (0: none, 0.5: between half and all of it). */
  jitter: number;
}

/** 10 s, 20 s, 40 s … doubling up to 10 min between attempts, for 24 hours. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 10_000,
  capMs: 10 * 60_000,
  horizonMs: 24 * 3_600_000,
  jitter: 0.5,
};

/** The wait after the `failures`-th failed attempt (1 for the first); `random` returns [0, 1). */
export function retryDelayMs(failures: number, random: () => number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(full * (1 - policy.jitter * r));
}

export type RetryDecision = { kind: "retry"; at: Date } | { kind: "dead" };

/**
 * After a failed attempt at `now`: the next attempt, never later than the horizon (so the last
 * try happens at it), or DEAD once the horizon has passed.
 */
export function nextAttempt(
  createdAt: Date,
  failures: number,
  now: Date,
  random: () => number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryDecision {
  const deadline = createdAt.getTime() + policy.horizonMs;
  if (now.getTime() >= deadline) return { kind: "dead" };
  return { kind: "retry", at: new Date(Math.min(now.getTime() + retryDelayMs(failures, random, policy), deadline)) };
}
