/**
 * Who is asking, on the server. `getActor()` reads the current request (a page, a server
 * action or a route handler); `actorFromHeaders` serves proxy.ts and tests. The session is
 * checked against the database every time; nothing the browser holds is trusted on its own.
 */
import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { serverEnv } from "../env";
import type { Actor } from "./actor";
import { UnauthenticatedError } from "./errors";
import { isPeerStamped } from "./peer-stamp";
import { identityFromProxy } from "./proxy-identity";
import { getAuth, LOCAL_EMAIL_DOMAIN } from "./server";

export async function actorFromHeaders(requestHeaders: Headers): Promise<Actor | null> {
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
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const user = session.user as typeof session.user & { login?: string };
  const isLocalUser = user.email.endsWith(`@${LOCAL_EMAIL_DOMAIN}`);
  // A session of another mode (or of a former LADDER_LOCAL_USER) is not this mode's user.
  if (auth.mode === "local" ? !isLocalUser || user.login !== auth.localUser : isLocalUser) return null;
  if (!user.login) return null;
  return { login: user.login, name: user.name, email: isLocalUser ? undefined : user.email, via: auth.mode };
}

/** The signed-in person of this request, or null. Cached per request. */
export const getActor = cache(async (): Promise<Actor | null> => actorFromHeaders(new Headers(await headers())));

/** The signed-in person, or an UnauthenticatedError (401). */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw new UnauthenticatedError();
  return actor;
}
