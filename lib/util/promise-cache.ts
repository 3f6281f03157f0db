/**
 * A bounded, least-recently-used cache of promises: concurrent callers of one
 * key share a single computation, a rejected computation is forgotten so the
 * next caller tries again, and the oldest entries go once `max` is exceeded.
 * Ladder keys these by content (commit or blob SHAs), so entries never go stale.
 */
export class PromiseCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  constructor(private readonly max: number) {}

  get(key: K, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    this.entries.set(key, value);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
