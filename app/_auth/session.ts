/**
 * Who is asking, on the server. `getActor()` reads the current request (a page, a server
 * action or a route handler); `actorFromHeaders` serves proxy.ts, route() and tests. The
 * decision is lib/auth/session.ts's; this binds it to the process's auth instance and to Next's
 * request headers.
 */
import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import type { Actor } from "@/lib/auth/actor";
import { UnauthenticatedError } from "@/lib/auth/errors";
import { resolveActor } from "@/lib/auth/session";
import { getAuth } from "./auth";

export function actorFromHeaders(requestHeaders: Headers): Promise<Actor | null> {
  return resolveActor(requestHeaders, (sessionHeaders) => getAuth().api.getSession({ headers: sessionHeaders }));
}

/** The signed-in person of this request, or null. Cached per request. */
export const getActor = cache(async (): Promise<Actor | null> => actorFromHeaders(new Headers(await headers())));

/** The signed-in person, or an UnauthenticatedError (401). */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw new UnauthenticatedError();
  return actor;
}
