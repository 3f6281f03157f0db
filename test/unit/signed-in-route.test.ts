/** route() (app/_auth/signed-in-route.ts), the wrapper of every route handler but the public ones. */
import { describe, expect, test, vi } from "vitest";
import { route } from "@/app/_auth/signed-in-route";

describe("route()", () => {
  test("refuses a request without a signed-in person before the handler runs", async () => {
    const body = vi.fn(async () => Response.json({ secret: true }));
    const response = await route(body)(new Request("http://localhost/x"), {});
    expect(response.status).toBe(401);
    expect(body).not.toHaveBeenCalled();
  });
});
