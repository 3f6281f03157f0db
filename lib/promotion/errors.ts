/** Typed promotion errors; `status` is the HTTP answer a route handler should give. */
export class PromotionInputError extends Error {
  readonly status = 422;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PromotionInputError";
  }
}

export class PromotionNotFoundError extends Error {
  readonly status = 404;
  constructor(id: string) {
    super(`No promotion ${id}.`);
    this.name = "PromotionNotFoundError";
  }
}

export class LockError extends Error {
  readonly status: number;
  constructor(message: string, status = 422) {
    super(message);
    this.name = "LockError";
    this.status = status;
  }
}

/** Prisma's unique-constraint violation (P2002), checked structurally. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
