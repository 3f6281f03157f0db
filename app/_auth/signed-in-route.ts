import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { UnauthenticatedError } from "@/lib/auth/errors";
import { publicRoute } from "@/lib/http/handler";
import { actorFromHeaders } from "./session";

/**
 * The default for every route: a signed-in person whom ladder.yaml's `viewers` admit, read from
 * this request's own headers (session cookie or trusted proxy identity), before `fn` runs. Errors
 * are answered as publicRoute (lib/http/handler.ts) answers them.
 */
export function route<C>(
  fn: (request: Request, context: C, actor: Actor) => Promise<Response>,
): (request: Request, context: C) => Promise<Response> {
  return publicRoute(async (request: Request, context: C) => {
    const actor = await actorFromHeaders(request.headers);
    if (!actor) throw new UnauthenticatedError();
    await authorize(actor, "view");
    return await fn(request, context, actor);
  });
}
