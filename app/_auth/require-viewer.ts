import "server-only";
import { forbidden, unauthorized } from "next/navigation";
import { checkPermission } from "@/lib/auth";
import type { Actor } from "@/lib/auth/actor";
import { describeReadFailure } from "@/lib/data/read-failure";
import { getActor } from "./session";

/**
 * Why the person of this request may not see Ladder's pages, or undefined when they may:
 * not signed in, not one of ladder.yaml's `viewers`, or — failing closed — the repository
 * could not be read to find out.
 */
export async function viewRefusal(): Promise<{ actor: Actor | null; reason: string | undefined }> {
  const actor = await getActor();
  if (!actor) return { actor, reason: "Sign in first." };
  try {
    const decision = await checkPermission(actor, "view");
    return { actor, reason: decision.allowed ? undefined : decision.reason };
  } catch (error) {
    const failure = describeReadFailure(error);
    return { actor, reason: `Ladder could not read ladder.yaml to check who may view: ${failure.title}. ${failure.message}` };
  }
}

/**
 * The first line of every page: the signed-in viewer, or a 401/403 answer (app/forbidden.tsx
 * says why). Pages call it before reading anything, so nothing streams to someone refused.
 */
export async function requireViewer(): Promise<Actor> {
  const { actor, reason } = await viewRefusal();
  if (!actor) unauthorized();
  if (reason !== undefined) forbidden();
  return actor;
}
