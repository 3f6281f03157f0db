/**
 * How many registry requests one page view (or one promotion preview) may make. The matrix can
 * show hundreds of digests; with a budget the first view of a cold cache costs a bounded number
 * of requests and the rest say "skipped: budget" until a later view finds them cached.
 */
export class RequestBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Spends one request; false when none is left. */
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  get spent(): number {
    return this.used;
  }

  get remaining(): number {
    return this.limit - this.used;
  }
}

/** A budget that never runs out, for the CLI and for tests that count requests themselves. */
export function unlimitedBudget(): RequestBudget {
  return new RequestBudget(Number.POSITIVE_INFINITY);
}
