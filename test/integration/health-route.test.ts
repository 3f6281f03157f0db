/**
 * /api/health (app/api/health/route.ts) called as a function against a real database. Anyone,
 * with any Host (a kubelet probe sends the pod IP), gets up or down and nothing else; the
 * details (database counts, the repository, GitHub's answer) need a signed-in person asking by
 * Ladder's own name. Who is signed in is stubbed: getActor reads Next's request context, which
 * a plain function call does not have.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/postgres";

const identity = vi.hoisted(() => ({ signedIn: false, fails: false }));
vi.mock("@/app/_auth/session", () => ({
  getActor: async () => {
    if (identity.fails) throw new Error("session lookup failed");
    return identity.signedIn ? { login: "alice", name: "Alice", via: "github" } : null;
  },
}));

type Health = typeof import("@/app/api/health/route");
let database: TestDatabase;

/** The process-wide client of the settings in force; each module reset would otherwise leak its pool. */
async function disconnect(): Promise<void> {
  const { db } = await import("@/lib/db/client");
  await db().$disconnect();
}

async function healthWith(env: Record<string, string>): Promise<Health["GET"]> {
  if (process.env.DATABASE_URL) await disconnect();
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("NODE_ENV", "test");
  vi.stubEnv("HOST", "0.0.0.0");
  vi.stubEnv("LADDER_PUBLIC_URL", "https://ladder.example.com");
  // No repository: the GitHub check answers at once ({ok: null}) instead of waiting on a network.
  vi.stubEnv("LADDER_REPOSITORY", "");
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return (await import("@/app/api/health/route")).GET;
}

const ask = (GET: Health["GET"], host: string) => GET(new Request(`http://${host}/api/health`, { headers: { host } }), undefined);

beforeAll(async () => {
  database = await createTestDatabase("ladder_health");
  await migrate(database.url, { log: () => {} });
});

beforeEach(() => {
  identity.signedIn = false;
  identity.fails = false;
});

afterAll(async () => {
  if (process.env.DATABASE_URL) await disconnect();
  vi.unstubAllEnvs();
  await database?.drop();
});

describe("GET /api/health", () => {
  it("tells anyone up, and nothing more", async () => {
    const GET = await healthWith({ DATABASE_URL: database.url });
    for (const host of ["ladder.example.com", "10.1.2.3:3000", "127.0.0.1:3000", "evil.example"]) {
      const response = await ask(GET, host);
      expect(response.status, host).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json(), host).toEqual({ status: "ok" });
    }
  });

  it("gives a signed-in person the details", async () => {
    const GET = await healthWith({ DATABASE_URL: database.url });
    identity.signedIn = true;
    const response = await ask(GET, "ladder.example.com");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true, promotions: 0 }, github: { ok: null } });
    expect(body.database.migrations).toBeGreaterThan(0);
  });

  it("gives only up or down to a foreign Host, even with a session", async () => {
    const GET = await healthWith({ DATABASE_URL: database.url });
    identity.signedIn = true;
    for (const host of ["evil.example", "evil.example:3000", "10.1.2.3:3000"]) {
      expect(await (await ask(GET, host)).json(), host).toEqual({ status: "ok" });
    }
    // Loopback names are Ladder's own (the machine itself, `kubectl port-forward`).
    expect(await (await ask(GET, "localhost:3000")).json()).toHaveProperty("database");
  });

  it("answers a bare 503 when the database is down, signed in or not", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const GET = await healthWith({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" });
    const anonymous = await ask(GET, "10.1.2.3:3000");
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: "unavailable" });
    // Sessions live in the database: a lookup that fails is no session.
    identity.fails = true;
    const lookupFailed = await ask(GET, "ladder.example.com");
    expect(lookupFailed.status).toBe(503);
    expect(await lookupFailed.json()).toEqual({ status: "unavailable" });
    identity.fails = false;
    identity.signedIn = true;
    const signedIn = await ask(GET, "ladder.example.com");
    expect(signedIn.status).toBe(503);
    expect(await signedIn.json()).toMatchObject({ status: "unavailable", database: { ok: false } });
    log.mockRestore();
  });
});
