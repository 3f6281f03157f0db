import "server-only";
import { requireActor } from "../auth";
import type { Actor } from "../promotion/context";

/** The signed-in person acting on this request (UnauthenticatedError when there is none). */
export async function currentActor(): Promise<Actor> {
  const actor = await requireActor();
  return { login: actor.login };
}
