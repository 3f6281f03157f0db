/**
 * The process's one Better Auth instance (lib/auth/server.ts builds it), with Next's cookie store
 * wired in: `nextCookies()` writes the cookies Better Auth sets during a server action or in
 * proxy.ts (sign-in, sign-out, a session's refresh) onto Next's response, and keeps a server
 * component's session read from refreshing a session whose cookie it could not rewrite.
 */
import "server-only";
import { nextCookies } from "better-auth/next-js";
import { authSettingsKey, createLadderAuth } from "@/lib/auth/server";
import { type ServerEnv, serverEnv } from "@/lib/env";

const build = (env: ServerEnv) => createLadderAuth(env, [nextCookies()]);

export type LadderAuth = ReturnType<typeof build>;

const store = globalThis as typeof globalThis & { __ladderAuth?: { key: string; auth: LadderAuth } };

/** The process's auth instance (rebuilt only if the settings change, as in tests). */
export function getAuth(): LadderAuth {
  const env = serverEnv();
  const key = authSettingsKey(env);
  if (store.__ladderAuth?.key !== key) store.__ladderAuth = { key, auth: build(env) };
  return store.__ladderAuth.auth;
}
