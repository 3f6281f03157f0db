/**
 * Typed refusals. Route handlers and server actions turn them into responses with
 * `authErrorResponse` (or read `.status`); anything else is a bug and stays a 500.
 */
export type PermissionAction = "view" | "promote" | "lock";

/** No signed-in person (or a proxy identity that was not believed): 401. */
export class UnauthenticatedError extends Error {
  readonly status = 401;
  constructor(message = "Sign in first.") {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** Signed in, but a ladder.yaml rule refuses; `message` names the rule: 403. */
export class ForbiddenError extends Error {
  readonly status = 403;
  constructor(
    message: string,
    readonly action: PermissionAction,
    /** The rule that refused, e.g. "environments.prod.promoters". */
    readonly rule: string,
    readonly env?: string,
  ) {
    super(message);
    this.name = "ForbiddenError";
  }
}

/** Too many promotions by one person in the window: 429 with Retry-After. */
export class RateLimitedError extends Error {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    readonly limit: number,
  ) {
    super(`Too many promotions: at most ${limit} per window; try again in ${retryAfterSeconds}s.`);
    this.name = "RateLimitedError";
  }
}

/** A state-changing request from another origin: 403. */
export class CrossOriginError extends Error {
  readonly status = 403;
  constructor(message = "Cross-origin request refused.") {
    super(message);
    this.name = "CrossOriginError";
  }
}

export type AuthError = UnauthenticatedError | ForbiddenError | RateLimitedError | CrossOriginError;

export function isAuthError(error: unknown): error is AuthError {
  return (
    error instanceof UnauthenticatedError ||
    error instanceof ForbiddenError ||
    error instanceof RateLimitedError ||
    error instanceof CrossOriginError
  );
}

/** The HTTP status for an auth error, undefined for anything else. */
export function authErrorStatus(error: unknown): 401 | 403 | 429 | undefined {
  return isAuthError(error) ? error.status : undefined;
}

/** A JSON response for an auth error (`{ error: { code, message, rule? } }`), undefined for anything else. */
export function authErrorResponse(error: unknown): Response | undefined {
  if (!isAuthError(error)) return undefined;
  const code =
    error instanceof UnauthenticatedError
      ? "unauthenticated"
      : error instanceof ForbiddenError
        ? "forbidden"
        : error instanceof RateLimitedError
          ? "rate-limited"
          : "cross-origin";
  const body = {
    error: { code, message: error.message, ...(error instanceof ForbiddenError ? { rule: error.rule } : {}) },
  };
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (error instanceof RateLimitedError) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json(body, { status: error.status, headers });
}
