/**
 * A Map that begins as another map's contents and keeps only its own changes, so a scan made from
 * an earlier one shares that scan's maps (files by path, builds, reads, the read index) instead of
 * copying tens of thousands of entries, and the earlier scan still sees exactly what it had.
 *
 * It behaves as a copy would, iteration order included: the root's keys in order (with this map's
 * values where it set them), then the keys it added, in insertion order. An overlay of an overlay
 * shares the same root and copies only the changes made since it, so a lookup is never more than
 * one level deep; once those changes pass an eighth of the root, the next overlay flattens into a
 * plain map, so the copying stays proportional to what changed, amortised.
 */
const OVERLAY = Symbol.for("ladder.util.overlayMap");

export class OverlayMap<K, V> extends Map<K, V> {
  readonly [OVERLAY] = true;
  /** Keys of this map (since it was made from another) whose value was set or that were deleted. */
  readonly touched = new Set<K>();

  private constructor(
    private readonly root: ReadonlyMap<K, V>,
    /** New values of root keys, yielded at the root key's place. */
    private readonly over: Map<K, V>,
    /** Root keys no longer here (or moved to `tail` by a delete and a set). */
    private readonly removed: Set<K>,
    /** Keys after the root's, in insertion order. */
    private readonly tail: Map<K, V>,
  ) {
    super();
  }

  /** A map that starts as `base` (which is never changed through it). */
  static of<K, V>(base: ReadonlyMap<K, V>): OverlayMap<K, V> {
    if (isOverlay(base)) {
      const changes = base.over.size + base.removed.size + base.tail.size;
      if (changes * 8 <= Math.max(base.root.size, 4096))
        return new OverlayMap(base.root, new Map(base.over), new Set(base.removed), new Map(base.tail));
      return new OverlayMap(new Map(base), new Map(), new Set(), new Map());
    }
    return new OverlayMap(base, new Map(), new Set(), new Map());
  }

  override get size(): number {
    return this.root.size - this.removed.size + this.tail.size;
  }

  override get(key: K): V | undefined {
    const t = this.tail.get(key);
    if (t !== undefined || this.tail.has(key)) return t;
    if (this.removed.has(key)) return undefined;
    const o = this.over.get(key);
    if (o !== undefined || this.over.has(key)) return o;
    return this.root.get(key);
  }

  override has(key: K): boolean {
    return this.tail.has(key) || (!this.removed.has(key) && this.root.has(key));
  }

  override set(key: K, value: V): this {
    this.touched.add(key);
    if (this.tail.has(key)) this.tail.set(key, value);
    else if (!this.removed.has(key) && this.root.has(key)) this.over.set(key, value);
    else this.tail.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    if (this.tail.delete(key)) {
      this.touched.add(key);
      return true;
    }
    if (this.removed.has(key) || !this.root.has(key)) return false;
    this.touched.add(key);
    this.removed.add(key);
    this.over.delete(key);
    return true;
  }

  override clear(): void {
    for (const k of this.keys()) this.touched.add(k);
    for (const k of this.root.keys()) this.removed.add(k);
    this.over.clear();
    this.tail.clear();
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.root) {
      if (this.removed.has(k)) continue;
      yield [k, this.over.has(k) ? (this.over.get(k) as V) : v];
    }
    yield* this.tail;
  }

  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

/** Branded by a registry symbol: a server bundle can hold several copies of this module. */
function isOverlay<K, V>(m: ReadonlyMap<K, V>): m is OverlayMap<K, V> {
  return (m as { [OVERLAY]?: boolean })[OVERLAY] === true;
}
