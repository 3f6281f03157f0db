import pLimit from "p-limit";

/**
 * Runs `task` over `items` with at most `limit` in flight; results keep the input order.
 * `limit` must be a positive integer (p-limit's TypeError rejects the call otherwise).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  // A fresh limiter per call: the bound is per batch, and a shared one could deadlock a task that maps again.
  return pLimit(limit).map(items, (item) => task(item));
}
