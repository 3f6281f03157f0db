import { describe, expect, it } from "vitest";
import { RateLimitedError } from "./errors";
import { createRateLimiter, memoryRateLimitStore } from "./rate-limit";

describe("createRateLimiter", () => {
  it("allows the limit, refuses the next with Retry-After, and resets with the window", async () => {
    let now = 1_000_000;
    const limiter = createRateLimiter({ store: memoryRateLimitStore(() => now), limit: 2, windowMs: 60_000, now: () => now });
    await limiter.consume("promote:alice");
    await limiter.consume("promote:alice");
    await limiter.consume("promote:bob");
    now += 15_000;
    const error = await limiter.consume("promote:alice").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(45);
    now += 46_000;
    await expect(limiter.consume("promote:alice")).resolves.toBeUndefined();
  });
});
