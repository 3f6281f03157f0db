/**
 * One wrapper for every route handler: typed errors become their HTTP status
 * with a JSON body a person can read; anything unexpected is logged with its
 * cause and answered 500 without internals.
 */
import { ZodError } from "zod";
import { authErrorResponse } from "../auth/errors";
import { GitHubError } from "../github/errors";
import { LockError, PromotionInputError, PromotionNotFoundError } from "../promotion/errors";
import { RepositoryNotConfiguredError } from "../repository/from-env";

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

export function route<C>(
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
