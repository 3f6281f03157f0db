import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, nextAttempt, retryDelayMs } from "./retry-schedule";

describe("retryDelayMs", () => {
  it("doubles from 10 s up to the 10 min cap without jitter at random() = 0", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n, () => 0));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000]);
  });

  it("jitter takes off at most half of each delay", () => {
    expect(retryDelayMs(1, () => 0.999_999)).toBe(5_000);
    expect(retryDelayMs(7, () => 0.5)).toBe(450_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(4, Math.random);
      expect(d).toBeGreaterThanOrEqual(40_000);
      expect(d).toBeLessThanOrEqual(80_000);
    }
  });

  it("a huge failure count stays at the cap", () => {
    expect(retryDelayMs(10_000, () => 0)).toBe(DEFAULT_RETRY_POLICY.capMs);
  });
});

describe("nextAttempt", () => {
  const created = new Date("2026-01-01T00:00:00Z");

  it("retries after the delay", () => {
    const now = new Date(created.getTime() + 1_000);
    expect(nextAttempt(created, 1, now, () => 0)).toEqual({ kind: "retry", at: new Date(now.getTime() + 10_000) });
  });

  it("never schedules past the horizon, and gives up once it has passed", () => {
    const horizon = created.getTime() + DEFAULT_RETRY_POLICY.horizonMs;
    const late = new Date(horizon - 60_000);
    expect(nextAttempt(created, 50, late, () => 0)).toEqual({ kind: "retry", at: new Date(horizon) });
    expect(nextAttempt(created, 51, new Date(horizon), () => 0)).toEqual({ kind: "dead" });
  });
});
