import { LRUCache } from "lru-cache";

/** A computation in flight, or its settled value. */
type Entry<V> = { pending: Promise<V> } | { value: V };

/**
 * A bounded, least-recently-used cache of promises: concurrent callers of one
 * key share a single computation, a rejected computation is forgotten so the
 * next caller tries again, and the oldest entries go once `max` is exceeded.
 * Ladder keys these by content (commit or blob SHAs), so entries never go stale.
 *
 * Once settled, an entry keeps the value, not the promise: a promise made while a request was
 * being served carries that request's AsyncLocalStorage store (Next's request context: the
 * request, its response, its render), so a cache of promises kept every request that filled an
 * entry alive for as long as the entry (under load, the server ran out of a 256 MB heap in a
 * minute). A hit on a settled entry answers with a fresh promise in the caller's own context.
 */
export class PromiseCache<K extends NonNullable<unknown>, V> {
  private readonly entries: LRUCache<K, Entry<V>>;

  constructor(max: number) {
    this.entries = new LRUCache<K, Entry<V>>({ max });
  }

  get(key: K, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) return "pending" in hit ? hit.pending : Promise.resolve(hit.value);
    const pending = compute();
    const entry: Entry<V> = { pending };
    this.entries.set(key, entry);
    pending.then(
      (value) => {
        // Only settle this attempt: the entry may have been evicted or replaced meanwhile.
        if (this.entries.peek(key) === entry) this.entries.set(key, { value });
      },
      () => {
        // Only forget this attempt: a newer one may already sit under the key.
        if (this.entries.peek(key) === entry) this.entries.delete(key);
      },
    );
    return pending;
  }

  /** Drops `key`: a computation still running under it is not kept when it settles. */
  forget(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
