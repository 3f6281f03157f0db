/**
 * The GitHub webhook route handler (app/api/webhooks/github/route.ts), called as a function with
 * real Requests: anyone can reach it, so an oversized body is refused with 413 before it is read
 * (a declared Content-Length) or as soon as it passes GitHub's 25 MB cap (a chunked upload), and
 * an unsigned request costs no read at all. A signed delivery still goes all the way through.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { CHUNK, countingStream } from "../support/counting-stream";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

const SECRET = "webhook-route-secret";
const MB = 1024 * 1024;
const LIMIT = 25 * MB;

let database: TestDatabase;
let POST: typeof import("@/app/api/webhooks/github/route").POST;

beforeAll(async () => {
  database = await createTestDatabase("ladder_webhook_route");
  await migrate(database.url, { log: () => {} });
  vi.stubEnv("NODE_ENV", "test");
  vi.stubEnv("DATABASE_URL", database.url);
  vi.stubEnv("GITHUB_WEBHOOK_SECRET", SECRET);
  vi.stubEnv("LADDER_REPOSITORY", "acme/gitops");
  ({ POST } = await import("@/app/api/webhooks/github/route"));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  const { db } = await import("@/lib/db/client");
  await db().$disconnect();
  await database?.drop();
});

const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

function delivery(body: BodyInit, headers: Record<string, string>): Request {
  // Node's fetch needs `duplex` for a stream body; the DOM typings do not list it yet.
  const init: RequestInit & { duplex: "half" } = {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "d-1", ...headers },
    body,
    duplex: "half",
  };
  return new Request("http://127.0.0.1:3000/api/webhooks/github", init);
}

describe("POST /api/webhooks/github", () => {
  it("answers 413 to a Content-Length over 25 MB without reading the body", async () => {
    const { stream, seen } = countingStream(50 * MB);
    const request = delivery(stream, { "content-length": String(50 * MB), "x-hub-signature-256": `sha256=${"0".repeat(64)}` });
    expect(request.headers.get("content-length")).toBe(String(50 * MB));
    const response = await POST(request, undefined);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: expect.stringContaining("25 MB") });
    expect(seen.pulled).toBe(0);
  });

  it("answers 413 to a chunked body once it passes 25 MB, and stops reading it", async () => {
    const { stream, seen } = countingStream(50 * MB);
    const response = await POST(delivery(stream, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }), undefined);
    expect(response.status).toBe(413);
    expect(seen.pulled).toBeGreaterThan(LIMIT);
    expect(seen.pulled).toBeLessThan(LIMIT + 4 * CHUNK);
    expect(seen.cancelled).toBe(true);
  });

  it("answers 401 to a request with no signature without reading the body", async () => {
    const { stream, seen } = countingStream(10 * MB);
    const response = await POST(delivery(stream, {}), undefined);
    expect(response.status).toBe(401);
    expect(seen.pulled).toBe(0);
  });

  it("answers 401 to a body under the limit with a wrong signature", async () => {
    const body = JSON.stringify({ zen: "x".repeat(MB) });
    const response = await POST(delivery(body, { "x-hub-signature-256": sign(`${body} `) }), undefined);
    expect(response.status).toBe(401);
  });

  it("still accepts a signed delivery", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const response = await POST(
      delivery(body, { "x-github-event": "ping", "x-github-delivery": "d-ping", "x-hub-signature-256": sign(body) }),
      undefined,
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ outcome: "ignored", deliveryId: "d-ping" });
  });
});
