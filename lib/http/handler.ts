/**
 * What every route handler answers when it throws (STYLE habit 14): typed errors become their
 * HTTP status with a JSON body a person can read; anything unexpected is logged with its cause
 * and answered 500 without internals. `publicRoute` is that wrapper alone, the named exception
 * (health, signed webhooks); `route` (app/_auth/signed-in-route.ts), the protected default, adds
 * sign-in and the `viewers` permission before the handler runs, so a new route cannot forget
 * them. `publicMessage` gives server actions the same rule for what a browser may be told.
 */
import { ZodError } from "zod";
import { authErrorResponse, isAuthError } from "../auth/errors";
import { GitHubError } from "../github/errors";
import { LockError, PromotionInputError, PromotionNotFoundError } from "../promotion/errors";
import { RepositoryNotConfiguredError } from "../repository-service/from-env";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorResponse(error: unknown): Response {
  const auth = authErrorResponse(error);
  if (auth) return auth;
  if (error instanceof ZodError) {
    return Response.json(
      { message: "Invalid request", issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
      { status: 422 },
    );
  }
  if (error instanceof HttpError) return Response.json({ message: error.message }, { status: error.status });
  if (error instanceof PromotionInputError) return Response.json({ message: error.message }, { status: 422 });
  if (error instanceof PromotionNotFoundError) return Response.json({ message: error.message }, { status: 404 });
  if (error instanceof LockError) return Response.json({ message: error.message }, { status: error.status });
  if (error instanceof RepositoryNotConfiguredError) return Response.json({ message: error.message }, { status: 404 });
  if (error instanceof GitHubError) return Response.json({ message: error.message, code: error.code }, { status: error.status });
  if (
    typeof error === "object" &&
    error !== null &&
    "status" in error &&
    typeof error.status === "number" &&
    error instanceof Error
  ) {
    if (error.status >= 400 && error.status < 500) return Response.json({ message: error.message }, { status: error.status });
  }
  console.error("route handler failed", error);
  return Response.json({ message: "Ladder could not handle this request; the server log has the details." }, { status: 500 });
}

/**
 * The message a browser may see for `error`: typed, expected errors keep theirs; anything else
 * (a Prisma invocation, a stack, a file path) is logged with its cause here and replaced.
 */
export function publicMessage(error: unknown, what = "The request"): string {
  if (
    isAuthError(error) ||
    error instanceof HttpError ||
    error instanceof PromotionInputError ||
    error instanceof PromotionNotFoundError ||
    error instanceof LockError ||
    error instanceof RepositoryNotConfiguredError ||
    error instanceof GitHubError
  )
    return error.message;
  if (error instanceof ZodError) return error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
  console.error(`${what} failed`, error);
  return `${what} failed; the server log has the details.`;
}

/** A public route: no sign-in (the sign-in page's helpers, health, GitHub's signed webhooks). */
export function publicRoute<C>(
  fn: (request: Request, context: C) => Promise<Response>,
): (request: Request, context: C) => Promise<Response> {
  return async (request, context) => {
    try {
      return await fn(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
