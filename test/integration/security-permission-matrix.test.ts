/**
 * The permission matrix: for each ladder.yaml state (missing, valid, invalid) × user × action
 * (view page, read API, export, preview, promote, rollback, lock, unlock) × environment, the
 * expected allow or deny — asserted through the real pages, route handlers and server actions,
 * against real Postgres and the GitHub-compatible server (strict OpenAPI), not through decide().
 *
 * Identity comes from the trusted-proxy sign-in (LADDER_AUTH_MODE=proxy), which reads the
 * request's own headers: route handlers get them on the Request; pages and server actions read
 * them through next/headers, which is the one thing replaced here (it needs a Next request).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { baseFiles, fakeDigest, overlayPath } from "@/github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "@/github-stand-in/server";
import { PEER_HEADER } from "@/lib/auth/peer";
import { installPeerStamp } from "@/lib/auth/peer-stamp";
import { migrate } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/postgres";
import { overlay } from "../support/promotion-world";

const current = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => current.headers, cookies: async () => new Map() }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const USERS = ["alice", "bob", "carol", "dave", "erin"] as const;
type User = (typeof USERS)[number];
const ENVS = ["staging", "prod"] as const;
type Env = (typeof ENVS)[number];
type State = "missing" | "valid" | "invalid";

/** viewers: everyone but dave; staging: alice promotes, bob locks; prod: alice and acme/release promote, acme/ops lock. */
const VALID = [
  "version: 1",
  "viewers: [alice, bob, carol, acme/ops]",
  "environments:",
  "  - dev",
  "  - name: staging",
  "    promoters: [alice]",
  "    lockers: [bob]",
  "  - name: prod",
  "    promoters: [alice, acme/release]",
  "    lockers: [acme/ops]",
  "apps:",
  "  - path: apps/{app}/overlays/{env}",
  "",
].join("\n");
/** One letter wrong, as in the issue: the whole file fails to validate. */
const INVALID = VALID.replace(
  "  - path: apps/{app}/overlays/{env}",
  "  - path: apps/{app}/overlays/{env}\n    format: kustomise",
);

const expected = {
  view(state: State, user: User): boolean {
    return state === "missing" || user !== "dave";
  },
  promote(state: State, user: User, env: Env): boolean {
    if (state === "missing") return true;
    if (state === "invalid") return false;
    return env === "staging" ? user === "alice" : user === "alice" || user === "bob";
  },
  lock(state: State, user: User, env: Env): boolean {
    if (state === "missing") return true;
    if (state === "invalid") return false;
    return env === "staging" ? user === "bob" : user === "erin";
  },
};

let database: TestDatabase;
let github: GitHubServer;
const saved: Record<string, string | undefined> = {};
let mod: {
  actions: typeof import("@/app/actions/promotions");
  head: typeof import("@/app/api/head/route");
  detail: typeof import("@/app/api/promotions/[id]/route");
  exportRoute: typeof import("@/app/api/promotions/export/route");
  preview: typeof import("@/app/api/promotions/preview/route");
  pages: Array<{ name: string; render: () => Promise<unknown> }>;
  repository: typeof import("@/lib/data/repository-view");
  locks: typeof import("@/lib/promotion/locks");
  db: typeof import("@/lib/db/client");
};

const ORIGIN = "http://127.0.0.1:39818";

function as(user: User): Headers {
  return new Headers({ "x-forwarded-user": user, [PEER_HEADER]: "127.0.0.1", host: "127.0.0.1:39818", origin: ORIGIN });
}

async function commitLadder(state: State): Promise<void> {
  await github.control.commit(
    { "ladder.yaml": state === "missing" ? null : state === "valid" ? VALID : INVALID },
    {
      message: `ladder.yaml: ${state}`,
    },
  );
  mod.repository.getRepository().invalidate();
}

async function pageStatus(user: User, render: () => Promise<unknown>): Promise<number> {
  current.headers = as(user);
  try {
    await render();
    return 200;
  } catch (error) {
    // forbidden()/unauthorized() throw Next's HTTP fallback errors, digest "NEXT_HTTP_ERROR_FALLBACK;403".
    const digest = typeof error === "object" && error && "digest" in error ? String(error.digest) : "";
    const status = /NEXT_HTTP_ERROR_FALLBACK;(\d+)/.exec(digest)?.[1];
    if (status) return Number(status);
    throw error;
  }
}

async function get(
  user: User,
  handler: (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>,
  path: string,
): Promise<Response> {
  return handler(new Request(`${ORIGIN}${path}`, { headers: as(user) }), {
    params: Promise.resolve({ id: "00000000-0000-4000-8000-000000000000" }),
  });
}

const denied = (status: number) => status === 401 || status === 403;

/** A token for promoting api into `env` (or rolling prod back), taken from a preview by alice while ladder.yaml is valid. */
const tokens: Partial<Record<"staging" | "prod" | "rollback", string>> = {};

async function promoteAs(user: User, token: string) {
  current.headers = as(user);
  return mod.actions.promoteAction({ token });
}

async function lockAs(user: User, env: Env) {
  current.headers = as(user);
  const form = new FormData();
  form.set("env", env);
  form.set("reason", `maintenance by ${user}`);
  return mod.actions.lockAction(null, form);
}

async function unlockAs(user: User, id: string, claimedEnv?: string) {
  current.headers = as(user);
  const form = new FormData();
  form.set("id", id);
  // What an attacker adds: a form that names an environment they do lock.
  if (claimedEnv) form.set("env", claimedEnv);
  return mod.actions.unlockAction(null, form);
}

/** A lock placed directly in the database, so unlock can be tested whoever may lock. */
async function placeLock(env: Env): Promise<string> {
  const lock = await mod.locks.lockEnvironment(mod.db.db(), {
    repository: "acme/gitops",
    env,
    reason: `placed for the test in ${env}`,
    actor: "root",
  });
  return lock.id;
}

beforeAll(async () => {
  installPeerStamp();
  database = await createTestDatabase("ladder_perm");
  await migrate(database.url, { log: () => {} });
  github = await startGitHubServer({
    strict: true,
    tokens: ["ladder-token"],
    oauth: { users: USERS.map((login) => ({ login })), teams: { "acme/release": ["bob"], "acme/ops": ["erin"] } },
  });
  const files: Record<string, string> = { ...baseFiles("api"), "ladder.yaml": VALID };
  ["dev", "staging", "prod"].forEach((env, i) => {
    files[overlayPath("api", env)] = overlay("api", env, { digest: fakeDigest("api", 3 - i), tag: "1.0" });
  });
  await github.control.commit(files, { message: "Seed", replaceAll: true, date: new Date(Date.now() - 10 * 86_400_000) });
  // prod moves from build 0 to build 1, so build 0 is a rollback candidate.
  await github.control.commit(
    { [overlayPath("api", "prod")]: overlay("api", "prod", { digest: fakeDigest("api", 0), tag: "0.9" }) },
    { message: "prod at build 0", date: new Date(Date.now() - 9 * 86_400_000) },
  );
  await github.control.commit(
    { [overlayPath("api", "prod")]: overlay("api", "prod", { digest: fakeDigest("api", 1), tag: "1.0" }) },
    { message: "prod at build 1", date: new Date(Date.now() - 8 * 86_400_000) },
  );
  const settings: Record<string, string> = {
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    HOST: "127.0.0.1",
    PORT: "39818",
    LADDER_AUTH_MODE: "proxy",
    LADDER_TRUSTED_PROXIES: "127.0.0.1",
    LADDER_AUTH_SECRET: "permission-matrix-secret-0123456789abcdef",
    LADDER_REPOSITORY: "acme/gitops",
    LADDER_BRANCH: "main",
    GITHUB_API_URL: github.apiBaseUrl,
    GITHUB_TOKEN: "ladder-token",
    LADDER_PROMOTE_RATE_LIMIT: "1000/10m",
    GITHUB_WRITE_SPACING_MS: "0",
    // What `experimental.authInterrupts` in next.config.js makes the build define, so forbidden()
    // answers 403 here as it does in the server.
    __NEXT_EXPERIMENTAL_AUTH_INTERRUPTS: "true",
  };
  for (const [key, value] of Object.entries(settings)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  const params = Promise.resolve({ app: "api" });
  const searchParams = Promise.resolve({});
  const [home, app, compare, drift, history, homeLayout, appLayout, driftLayout, historyLayout] = await Promise.all([
    import("@/app/(home)/page"),
    import("@/app/apps/[app]/(overview)/page"),
    import("@/app/apps/[app]/compare/page"),
    import("@/app/drift/page"),
    import("@/app/history/page"),
    import("@/app/(home)/layout"),
    import("@/app/apps/[app]/layout"),
    import("@/app/drift/layout"),
    import("@/app/history/layout"),
  ]);
  mod = {
    actions: await import("@/app/actions/promotions"),
    head: await import("@/app/api/head/route"),
    detail: await import("@/app/api/promotions/[id]/route"),
    exportRoute: await import("@/app/api/promotions/export/route"),
    preview: await import("@/app/api/promotions/preview/route"),
    pages: [
      { name: "/", render: () => home.default({ searchParams }) },
      { name: "/apps/api", render: () => app.default({ params }) },
      { name: "/apps/api/compare", render: () => compare.default({ params, searchParams }) },
      { name: "/drift", render: () => drift.default() },
      { name: "/history", render: () => history.default({ searchParams }) },
      // The layouts above each loading.tsx decide the same before any streaming starts.
      { name: "/ (layout)", render: () => homeLayout.default({ children: null }) },
      { name: "/apps/api (layout)", render: () => appLayout.default({ children: null, params }) },
      { name: "/drift (layout)", render: () => driftLayout.default({ children: null }) },
      { name: "/history (layout)", render: () => historyLayout.default({ children: null }) },
    ],
    repository: await import("@/lib/data/repository-view"),
    locks: await import("@/lib/promotion/locks"),
    db: await import("@/lib/db/client"),
  };
  // Tokens from the one user who may promote everywhere, while ladder.yaml is valid.
  const previewToken = async (query: string) => {
    const response = await get("alice", mod.preview.GET, `/api/promotions/preview?${query}`);
    const body = (await response.json()) as { token: string | null; checks: { id: string; reason: string }[] };
    if (!body.token) throw new Error(`no token for ${query}: ${JSON.stringify(body.checks)}`);
    return body.token;
  };
  tokens.staging = await previewToken("app=api&to=staging");
  tokens.prod = await previewToken("app=api&to=prod");
  tokens.rollback = await previewToken(`app=api&to=prod&rollback=1&digest=${fakeDigest("api", 0)}`);
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await mod?.db.db().$disconnect();
  await github?.stop();
  await database?.drop();
});

describe.each<State>(["valid", "invalid", "missing"])("ladder.yaml %s", (state) => {
  beforeAll(async () => {
    await commitLadder(state);
  });

  it.each(USERS)("pages: %s", async (user) => {
    for (const page of mod.pages) {
      const status = await pageStatus(user, page.render);
      expect(denied(status), `${user} ${page.name} → ${status}`).toBe(!expected.view(state, user));
      if (denied(status)) expect(status, page.name).toBe(403);
    }
  });

  it.each(USERS)("read API, export and preview: %s", async (user) => {
    const reads = [
      ["/api/head", mod.head.GET],
      ["/api/promotions/00000000-0000-4000-8000-000000000000", mod.detail.GET],
      ["/api/promotions/export?format=json", mod.exportRoute.GET],
      ["/api/promotions/preview?app=api&to=prod", mod.preview.GET],
    ] as const;
    for (const [path, handler] of reads) {
      const response = await get(user, handler, path);
      expect(denied(response.status), `${user} ${path} → ${response.status}`).toBe(!expected.view(state, user));
      if (!expected.view(state, user)) expect(JSON.stringify(await response.json())).toContain("viewers");
    }
  });

  it.each(USERS)("promote, rollback, lock and unlock: %s", async (user) => {
    for (const env of ENVS) {
      const token = env === "staging" ? tokens.staging : tokens.prod;
      const promoted = await promoteAs(user, token ?? "");
      const refused = !promoted.ok && promoted.reason === "forbidden";
      expect(refused, `${user} promote ${env}: ${JSON.stringify(promoted)}`).toBe(!expected.promote(state, user, env));
      if (state === "invalid" && expected.view(state, user) && !promoted.ok)
        expect(promoted.message).toMatch(
          /^ladder\.yaml at [0-9a-f]{7} is invalid: ladder\.yaml:\d+: .*refused until it is fixed$/,
        );

      const locked = await lockAs(user, env);
      expect(locked.ok, `${user} lock ${env}: ${JSON.stringify(locked)}`).toBe(expected.lock(state, user, env));
      if (!locked.ok) expect(locked.reason, JSON.stringify(locked)).toBe("forbidden");

      const id = await placeLock(env);
      const released = await unlockAs(user, id);
      expect(released.ok, `${user} unlock ${env}: ${JSON.stringify(released)}`).toBe(expected.lock(state, user, env));
      if (!released.ok) await mod.locks.releaseLock(mod.db.db(), { id, actor: "root", repository: "acme/gitops" });
    }
    const rolledBack = await promoteAs(user, tokens.rollback ?? "");
    const refused = !rolledBack.ok && rolledBack.reason === "forbidden";
    expect(refused, `${user} rollback prod: ${JSON.stringify(rolledBack)}`).toBe(!expected.promote(state, user, "prod"));
  });
});

describe("attacks from the security issue", () => {
  beforeAll(async () => {
    await commitLadder("valid");
  });

  it("a locker of staging cannot release prod's lock by naming staging in the form", async () => {
    const prodLock = await placeLock("prod");
    const attempt = await unlockAs("bob", prodLock, "staging");
    expect(attempt).toMatchObject({ ok: false, reason: "forbidden" });
    expect(attempt.ok ? "" : attempt.message).toContain("prod lockers");
    const locks = await mod.locks.activeLocks(mod.db.db(), { repository: "acme/gitops", env: "prod" });
    expect(locks.map((l) => l.id)).toContain(prodLock);
    // erin is in acme/ops, prod's lockers: her release works.
    expect(await unlockAs("erin", prodLock)).toEqual({ ok: true });
  });

  it("a team listed in lockers can lock (membership read from GitHub)", async () => {
    const result = await lockAs("erin", "prod");
    expect(result).toEqual({ ok: true });
    const [lock] = await mod.locks.activeLocks(mod.db.db(), { repository: "acme/gitops", env: "prod" });
    expect(lock?.createdBy).toBe("erin");
    if (lock) expect(await unlockAs("erin", lock.id)).toEqual({ ok: true });
  });

  it("a reason with a NUL byte is refused as a field error, and no internals come back", async () => {
    current.headers = as("bob");
    const form = new FormData();
    form.set("env", "staging");
    form.set("reason", "bad\u0000reason");
    const result = await mod.actions.lockAction(null, form);
    expect(result).toMatchObject({ ok: false, fieldErrors: { reason: ["Use plain text: no control characters"] } });
    expect(JSON.stringify(result)).not.toMatch(/prisma|invocation/i);
  });

  it("a lock of another repository is not found, whoever asks", async () => {
    const other = await mod.locks.lockEnvironment(mod.db.db(), {
      repository: "evil/other",
      env: "staging",
      reason: "someone else's lock",
      actor: "root",
    });
    const result = await unlockAs("bob", other.id);
    expect(result).toMatchObject({ ok: false, message: `No lock ${other.id}.` });
  });

  it("a team membership Ladder may not read is refused, saying what to grant", async () => {
    const fault = github.control.injectFault({
      kind: "status",
      status: 403,
      message: "Resource not accessible by integration",
      match: { operationId: "teams/get-membership-for-user-in-org" },
    });
    try {
      // Forget bob's cached "yes" from the matrix above, so GitHub is asked again.
      (globalThis as { __ladderTeamMembership?: { clear(): void } }).__ladderTeamMembership?.clear();
      const result = await promoteAs("bob", tokens.prod ?? "");
      expect(result).toMatchObject({ ok: false, reason: "forbidden" });
      expect(result.ok ? "" : result.message).toContain(
        "Ladder cannot read team membership of acme: give its token the read:org scope",
      );
    } finally {
      github.control.removeFault(fault);
      (globalThis as { __ladderTeamMembership?: { clear(): void } }).__ladderTeamMembership?.clear();
    }
  });
});

describe("an invalid ladder.yaml keeps the last valid layout and fails closed", () => {
  it("shows the last valid layout, labelled, and never says 'No ladder.yaml'", async () => {
    await commitLadder("valid");
    const before = await mod.repository.getRepositoryView();
    expect(before.scan.layout.ladderYaml.state).toBe("valid");
    await commitLadder("invalid");
    const view = await mod.repository.getRepositoryView();
    const status = view.scan.layout.ladderYaml;
    expect(status).toMatchObject({ state: "invalid", file: "ladder.yaml", commit: view.snapshot.commit });
    // The layout comes from the newest commit that wrote a valid ladder.yaml.
    const layoutFrom = status.state === "invalid" ? status.layoutFrom : null;
    expect(layoutFrom).toMatch(/^[0-9a-f]{40}$/);
    const earlier = await mod.repository.getRepository().at(layoutFrom ?? "");
    expect(await earlier.snapshot.read("ladder.yaml")).toBe(VALID);
    expect(view.scan.layout.source).toBe("ladder.yaml");
    expect(view.scan.environments).toEqual(before.scan.environments);
    expect(view.scan.apps.map((a) => a.name)).toEqual(before.scan.apps.map((a) => a.name));
  });
});
