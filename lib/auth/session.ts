/**
 * Who is asking, from a request's headers: the trusted proxy's identity in `proxy` mode, else the
 * Better Auth session its cookie names, checked against the database every time; nothing the
 * browser holds is trusted on its own. The session is read through `readSession` so this stays
 * free of the web framework: app/_auth/session.ts binds it to the process's auth instance.
 */
import "server-only";
import { serverEnv } from "../env";
import type { Actor } from "./actor";
import { isPeerStamped } from "./peer-stamp";
import { identityFromProxy } from "./proxy-identity";
import { LOCAL_EMAIL_DOMAIN } from "./server";

/** The part of a Better Auth session Ladder reads. */
export interface SessionUser {
  name: string;
  email: string;
  login?: string | null;
}

/** Better Auth's `api.getSession`, for these headers. */
export type SessionReader = (requestHeaders: Headers) => Promise<{ user: SessionUser } | null>;

export async function resolveActor(requestHeaders: Headers, readSession: SessionReader): Promise<Actor | null> {
  const { auth } = serverEnv();
  if (auth.mode === "proxy") {
    const result = identityFromProxy(requestHeaders, {
      trustedProxies: auth.trustedProxies,
      userHeader: auth.proxyUserHeader,
      emailHeader: auth.proxyEmailHeader,
      peerStamped: isPeerStamped(),
    });
    if (result.ok) return result.actor;
    if (result.reason !== "no-identity") console.warn(`proxy identity refused: ${result.detail}`);
    return null;
  }
  // No cookie, no session: answer without a database round trip.
  if (!requestHeaders.get("cookie")) return null;
  const session = await readSession(requestHeaders);
  if (!session) return null;
  const user = session.user;
  const isLocalUser = user.email.endsWith(`@${LOCAL_EMAIL_DOMAIN}`);
  // A session of another mode (or of a former LADDER_LOCAL_USER) is not this mode's user.
  if (auth.mode === "local" ? !isLocalUser || user.login !== auth.localUser : isLocalUser) return null;
  if (!user.login) return null;
  return { login: user.login, name: user.name, email: isLocalUser ? undefined : user.email, via: auth.mode };
}
