import { LRUCache } from "lru-cache";

/**
 * A bounded, least-recently-used cache of promises: concurrent callers of one
 * key share a single computation, a rejected computation is forgotten so the
 * next caller tries again, and the oldest entries go once `max` is exceeded.
 * Ladder keys these by content (commit or blob SHAs), so entries never go stale.
 */
export class PromiseCache<K extends NonNullable<unknown>, V> {
  private readonly entries: LRUCache<K, Promise<V>>;

  constructor(max: number) {
    this.entries = new LRUCache<K, Promise<V>>({ max });
  }

  get(key: K, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const value = compute();
    value.catch(() => {
      // Only forget this attempt: a newer one may already sit under the key.
      if (this.entries.peek(key) === value) this.entries.delete(key);
    });
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
