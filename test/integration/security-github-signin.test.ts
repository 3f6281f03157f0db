/**
 * GitHub sign-in end to end through Ladder's auth handler (what app/api/auth/[...all] serves)
 * against the GitHub-compatible test server, which checks /user and team membership against
 * GitHub's OpenAPI description. Also the attacks on that flow: a forged state, a replayed
 * code, a tampered session cookie, a session from another sign-in mode.
 *
 * Tested at handler level rather than with a second Next server in Playwright: the handler is
 * the whole flow (Next only forwards the Request), and a second production server would double
 * the e2e start-up on a 2-core machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OAUTH_APP } from "@/github-stand-in/oauth";
import { type GitHubServer, startGitHubServer } from "@/github-stand-in/server";
import { migrate } from "@/lib/db/migrate";
import { createTestDatabase, query, type TestDatabase } from "../support/postgres";

const ORIGIN = "http://127.0.0.1:39817";
let database: TestDatabase;
let github: GitHubServer;
let saved: Record<string, string | undefined>;
type AuthModule = typeof import("@/app/_auth/auth");
type SessionModule = typeof import("@/app/_auth/session");
let authModule: AuthModule;
let sessionModule: SessionModule;

const settings = (): Record<string, string> => ({
  NODE_ENV: "test",
  DATABASE_URL: database.url,
  HOST: "127.0.0.1",
  PORT: "39817",
  LADDER_AUTH_MODE: "github",
  LADDER_AUTH_SECRET: "integration-secret-integration-secret-0123",
  GITHUB_OAUTH_CLIENT_ID: DEFAULT_OAUTH_APP.clientId,
  GITHUB_OAUTH_CLIENT_SECRET: DEFAULT_OAUTH_APP.clientSecret,
  GITHUB_API_URL: github.apiBaseUrl,
  GITHUB_TOKEN: "ladder-app-token",
});

beforeAll(async () => {
  database = await createTestDatabase("ladder_security");
  await migrate(database.url, { log: () => {} });
  github = await startGitHubServer({
    tokens: ["ladder-app-token"],
    oauth: { users: [{ login: "alice", name: "Alice" }, { login: "bob" }], teams: { "acme/release": ["alice"] } },
  });
  saved = {};
  for (const [key, value] of Object.entries(settings())) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  authModule = await import("@/app/_auth/auth");
  sessionModule = await import("@/app/_auth/session");
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const { db } = await import("@/lib/db/client");
  await db().$disconnect();
  await github?.stop();
  await database?.drop();
});

let peer = 1;
const nextPeer = () => `10.9.${Math.floor(peer / 250)}.${(peer++ % 250) + 1}`;

function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
}

async function startSignIn(): Promise<{ authorizeUrl: string; cookies: string[] }> {
  const response = await authModule.getAuth().handler(
    new Request(`${ORIGIN}/api/auth/sign-in/social`, {
      method: "POST",
      // A fresh peer per request: Better Auth's own sign-in rate limit is per address.
      headers: { origin: ORIGIN, "content-type": "application/json", "x-ladder-peer": nextPeer() },
      body: JSON.stringify({ provider: "github", callbackURL: "/" }),
    }),
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { url: string };
  return { authorizeUrl: body.url, cookies: cookiesOf(response) };
}

async function approve(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  expect(response.status).toBe(302);
  return response.headers.get("location") ?? "";
}

async function callback(location: string, cookies: string[]): Promise<Response> {
  const response = await authModule
    .getAuth()
    .handler(new Request(location, { headers: { cookie: cookies.join("; "), "x-ladder-peer": nextPeer() } }));
  if (process.env.LADDER_DEBUG_AUTH)
    console.log(response.status, response.headers.get("location"), response.headers.getSetCookie());
  return response;
}

async function signInAs(login: string): Promise<string[]> {
  github.control.oauth.signInAs(login);
  const { authorizeUrl, cookies } = await startSignIn();
  const response = await callback(await approve(authorizeUrl), cookies);
  expect(response.status).toBe(302);
  return cookiesOf(response);
}

describe("GitHub sign-in", () => {
  it("signs in through GitHub's web flow with PKCE, no scope, and keeps no GitHub token", async () => {
    const { authorizeUrl } = await startSignIn();
    const url = new URL(authorizeUrl);
    expect(url.origin).toBe(github.url);
    expect(url.pathname).toBe("/login/oauth/authorize");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/callback/github`);

    const cookies = await signInAs("alice");
    const session = cookies.find((c) => c.startsWith("ladder-github.session_token="));
    expect(session).toBeDefined();
    const actor = await sessionModule.actorFromHeaders(new Headers({ cookie: cookies.join("; ") }));
    expect(actor).toEqual({
      login: "alice",
      name: "Alice",
      email: expect.stringContaining("alice@users.noreply"),
      via: "github",
    });

    const accounts = await query<{ access_token: string | null }>(database.url, "SELECT access_token FROM auth_account");
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts.every((a) => a.access_token === null)).toBe(true);
    expect(github.control.violations()).toEqual([]);
  });

  it("sets the session cookie httpOnly and SameSite=Lax", async () => {
    github.control.oauth.signInAs("bob");
    const { authorizeUrl, cookies } = await startSignIn();
    const response = await callback(await approve(authorizeUrl), cookies);
    const raw = response.headers.getSetCookie().find((c) => c.startsWith("ladder-github.session_token="));
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Lax/i);
  });

  it("refuses a callback whose state was not issued to this browser", async () => {
    const { authorizeUrl } = await startSignIn();
    const location = await approve(authorizeUrl);
    // The attacker's own state cookie is missing: login CSRF fails.
    const response = await callback(location, []);
    expect(cookiesOf(response).some((c) => c.startsWith("ladder-github.session_token=") && c.length > 40)).toBe(false);
  });

  it("refuses a replayed authorization code", async () => {
    github.control.oauth.signInAs("alice");
    const { authorizeUrl, cookies } = await startSignIn();
    const location = await approve(authorizeUrl);
    expect((await callback(location, cookies)).status).toBe(302);
    const replay = await callback(location, cookies);
    expect(cookiesOf(replay).some((c) => /^ladder-github\.session_token=.{20,}/.test(c))).toBe(false);
  });

  it("rejects a tampered session cookie", async () => {
    const cookies = await signInAs("alice");
    const tampered = cookies.map((c) =>
      c.startsWith("ladder-github.session_token=") ? c.replace(/=(.)/, (_m, ch: string) => `=${ch === "A" ? "B" : "A"}`) : c,
    );
    expect(await sessionModule.actorFromHeaders(new Headers({ cookie: tampered.join("; ") }))).toBeNull();
    // A session token without its signature is not accepted either.
    const unsigned = cookies.map((c) => c.replace(/\.[^.]*$/, ""));
    expect(await sessionModule.actorFromHeaders(new Headers({ cookie: unsigned.join("; ") }))).toBeNull();
  });

  it("reads team membership through the API (OpenAPI-checked) and caches it", async () => {
    const { createTeamMembership } = await import("@/lib/auth/team-membership");
    const { createGitHubClient } = await import("@/lib/github/client");
    const client = createGitHubClient({
      auth: { kind: "token", token: "ladder-app-token" },
      baseUrl: github.apiBaseUrl,
      retries: 0,
    });
    const membership = createTeamMembership({ client: () => client });
    github.control.resetCounters();
    expect(await membership("alice", "acme/release")).toBe(true);
    expect(await membership("bob", "acme/release")).toBe(false);
    expect(await membership("alice", "acme/release")).toBe(true);
    expect(github.control.counters()["teams/get-membership-for-user-in-org"]).toBe(2);
    expect(github.control.violations()).toEqual([]);
  });
});

describe("sign-out", () => {
  it("deletes the session: the same cookie no longer signs anyone in", async () => {
    const cookies = await signInAs("alice");
    const headers = new Headers({ cookie: cookies.join("; "), origin: ORIGIN });
    expect(await sessionModule.actorFromHeaders(headers)).not.toBeNull();
    const response = await authModule.getAuth().api.signOut({ headers, asResponse: true });
    if (process.env.LADDER_DEBUG_AUTH)
      console.log(response.status, await response.clone().text(), response.headers.getSetCookie());
    expect(response.status).toBe(200);
    expect(await sessionModule.actorFromHeaders(new Headers({ cookie: cookies.join("; ") }))).toBeNull();
  });
});
