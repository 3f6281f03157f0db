import { describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { ForbiddenError, UnauthenticatedError } from "../auth/errors";
import { RateLimitedError } from "../github/errors";
import { PromotionInputError } from "../promotion/errors";
import { RepositoryNotConfiguredError } from "../repository-service/from-env";
import { errorResponse, HttpError, publicMessage, publicRoute } from "./handler";

async function answer(error: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = errorResponse(error);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("route handler errors", () => {
  test("invalid input is a 422 listing each field", async () => {
    const parsed = z.object({ app: z.string() }).safeParse({ app: 3 });
    if (parsed.success) throw new Error("expected a failure");
    const { status, body } = await answer(parsed.error);
    expect(status).toBe(422);
    expect(body.issues).toEqual([{ path: "app", message: expect.stringContaining("string") }]);
  });

  test("typed errors keep their status and readable message", async () => {
    expect(await answer(new PromotionInputError("Unknown app nope."))).toEqual({
      status: 422,
      body: { message: "Unknown app nope." },
    });
    expect((await answer(new RepositoryNotConfiguredError("No GitOps repository"))).status).toBe(404);
    expect((await answer(new HttpError(404, "No promotion x."))).body).toEqual({ message: "No promotion x." });
    const limited = await answer(new RateLimitedError(new Date("2026-11-26T14:05:00Z"), false));
    expect(limited.status).toBe(429);
    expect(limited.body.message).toBe("GitHub rate limit exhausted until 14:05 UTC.");
  });

  test("sign-in and permission refusals say which rule refused", async () => {
    expect((await answer(new UnauthenticatedError())).status).toBe(401);
    const forbidden = await answer(
      new ForbiddenError("prod promoters are [alice]; bob is not one of them", "promote", "environments.prod.promoters"),
    );
    expect(forbidden.status).toBe(403);
    expect(JSON.stringify(forbidden.body)).toContain("bob is not one of them");
  });

  test("anything else is a 500 without internals, and is logged", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { status, body } = await answer(new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });

  test("publicRoute() turns a thrown error into its response", async () => {
    const handler = publicRoute(async () => {
      throw new HttpError(409, "busy");
    });
    const response = await handler(new Request("http://localhost/x"), {});
    expect(response.status).toBe(409);
  });

  test("publicMessage keeps typed messages and hides everything else", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(publicMessage(new PromotionInputError("Unknown app nope."))).toBe("Unknown app nope.");
    const hidden = publicMessage(new Error("Invalid `prisma.environmentLock.create()` invocation: \u0000"), "Locking");
    expect(hidden).toBe("Locking failed; the server log has the details.");
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });
});
