/**
 * Permissions for server code (pages, server actions, route handlers); who is signed in comes
 * from the Next glue in app/_auth/session.ts:
 *
 *   const actor = await requireActor();            // UnauthenticatedError → 401
 *   await authorize(actor, "promote", { env });    // ForbiddenError → 403, names the rule
 *   await limitPromotions(actor);                  // RateLimitedError → 429
 *
 * `authErrorResponse(error)` turns any of them into a JSON response.
 */
import "server-only";

export type { Actor } from "./actor";
export { authorize, checkPermission, currentRules, limitPromotions, teamMembership } from "./authorize";
export {
  type AuthError,
  authErrorResponse,
  authErrorStatus,
  CrossOriginError,
  ForbiddenError,
  isAuthError,
  type PermissionAction,
  RateLimitedError,
  UnauthenticatedError,
} from "./errors";
export type { Decision } from "./permissions";
