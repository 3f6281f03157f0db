/**
 * The two places a `next` parameter turns into a redirect: the sign-in page (a signed-in visitor
 * is sent straight on) and the signIn server action (local sign-in redirects, GitHub sign-in hands
 * it to Better Auth as the callback URL). Next's request APIs are replaced by stand-ins so each
 * can be called as a function; redirect() throws, as Next's does, and the test reads its target.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const state = vi.hoisted(() => ({
  mode: "local" as "local" | "github" | "proxy",
  signedIn: false,
  signInSocial: vi.fn(async (_: { body: { callbackURL: string } }) => ({ url: "https://github.example/login/oauth" })),
}));

class Redirected extends Error {
  constructor(readonly target: string) {
    super(`redirect ${target}`);
  }
}

vi.mock("next/navigation", () => ({
  redirect: (target: string) => {
    throw new Redirected(target);
  },
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ delete: () => undefined, set: () => undefined }),
}));
vi.mock("@/lib/env", () => ({ serverEnv: () => ({ auth: { mode: state.mode, localUser: "dev" } }) }));
vi.mock("@/app/_auth/session", () => ({ getActor: async () => (state.signedIn ? { login: "alice" } : null) }));
vi.mock("@/app/_auth/auth", () => ({
  getAuth: () => ({ api: { ladderLocalSignIn: async () => undefined, signInSocial: state.signInSocial } }),
}));

const { signIn } = await import("@/components/auth/actions");
const { default: SignInPage } = await import("@/app/signin/page");

async function redirectOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Redirected) return error.target;
    throw error;
  }
  throw new Error("expected a redirect");
}

function form(next: string): FormData {
  const data = new FormData();
  data.set("next", next);
  return data;
}

const attacks = ["/.//evil.example/phish", "/..//evil", "/%2e%2e//evil", "//evil", "/\\evil", "https://evil"];

beforeEach(() => {
  state.mode = "local";
  state.signedIn = false;
  state.signInSocial.mockClear();
});

describe("where sign-in sends people back to", () => {
  it.each(attacks)("the signed-in sign-in page sends %s home", async (next) => {
    state.signedIn = true;
    expect(await redirectOf(() => SignInPage({ searchParams: Promise.resolve({ next }) }))).toBe("/");
  });

  it("the signed-in sign-in page keeps a page of Ladder's", async () => {
    state.signedIn = true;
    expect(await redirectOf(() => SignInPage({ searchParams: Promise.resolve({ next: "/apps/api?x=1" }) }))).toBe(
      "/apps/api?x=1",
    );
  });

  it.each(attacks)("local sign-in sends %s home", async (next) => {
    expect(await redirectOf(() => signIn(form(next)))).toBe("/");
  });

  it.each(attacks)("GitHub sign-in never hands %s to Better Auth as the callback", async (next) => {
    state.mode = "github";
    expect(await redirectOf(() => signIn(form(next)))).toBe("https://github.example/login/oauth");
    expect(state.signInSocial).toHaveBeenCalledOnce();
    expect(state.signInSocial.mock.calls[0]?.[0].body.callbackURL).toBe("/");
  });
});
