import type { SourcePos } from "./types";

/**
 * Where each value came from, keyed by the container object and the key or index inside it, and the
 * source spelling of numbers. Both YAML readers (yaml-fast.ts and the `yaml` package path in
 * yaml-source.ts) write through these, so their results carry the same side tables.
 * A side table (rather than wrapper objects) keeps merges, patches and comparisons plain JavaScript.
 *
 * Each table is a non-enumerable symbol property of its container (invisible to JSON, Object.keys,
 * spreads and equality checks; much cheaper than a WeakMap lookup on the scan's hot path), holding a
 * plain object keyed like the container. Plain objects rather than Maps: a scan keeps hundreds of
 * thousands of these, and containers parsed from similar manifests give their tables the same shape,
 * so they cost a fraction of a Map's memory (and of the garbage collector's time). Their prototype is
 * an empty object with no prototype, so `constructor` or `__proto__` are ordinary keys.
 */
const POS: unique symbol = Symbol("positions");
/** The literal text of numeric scalars (`tag: 1.0` must stay "1.0", not become 1). */
const RAW: unique symbol = Symbol("numeric spellings");

type Table<T> = Record<string | number, T | undefined>;
type WithMeta = { [POS]?: Table<SourcePos>; [RAW]?: Table<string> };

const EMPTY: object = Object.freeze(Object.create(null));

function table<T>(container: object, sym: typeof POS | typeof RAW): Table<T> {
  const t = Object.create(EMPTY) as Table<T>;
  Object.defineProperty(container, sym, { value: t, enumerable: false, writable: true });
  return t;
}

/** The value as YAML wrote it: numbers keep their source spelling. */
export function scalarText(container: object, key: string | number): string | undefined {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return rawSpelling(container, key) ?? String(v);
  if (typeof v === "boolean") return String(v);
  return undefined;
}

/** The recorded source spelling of a slot, if any (scalarText falls back to String(value)). */
export function rawSpelling(container: object, key: string | number): string | undefined {
  return (container as WithMeta)[RAW]?.[key];
}

export function setRaw(container: object, key: string | number, raw: string | undefined): void {
  if (raw === undefined) return;
  const t = (container as WithMeta)[RAW] ?? table<string>(container, RAW);
  t[key] = raw;
}

/** Copies a value's position (and numeric spelling) from one container slot to another. */
export function copyMeta(from: object, fromKey: string | number, to: object, toKey: string | number): void {
  setPos(to, toKey, getPos(from, fromKey));
  setRaw(to, toKey, rawSpelling(from, fromKey));
}

/** copyMeta for each of the given slots, kept at the same key (what a deep copy needs), looking the tables up once. */
export function copyMetaOf(from: object, to: object, keys: readonly string[] | number): void {
  const pos = (from as WithMeta)[POS];
  const raw = (from as WithMeta)[RAW];
  if (pos) {
    let out: Table<SourcePos> | undefined = (to as WithMeta)[POS];
    const n = typeof keys === "number" ? keys : keys.length;
    for (let i = 0; i < n; i++) {
      const k = typeof keys === "number" ? i : (keys[i] as string);
      const p = pos[k];
      if (p === undefined) continue;
      out ??= table<SourcePos>(to, POS);
      out[k] = p;
    }
  }
  if (raw) {
    let out: Table<string> | undefined = (to as WithMeta)[RAW];
    const n = typeof keys === "number" ? keys : keys.length;
    for (let i = 0; i < n; i++) {
      const k = typeof keys === "number" ? i : (keys[i] as string);
      const r = raw[k];
      if (r === undefined) continue;
      out ??= table<string>(to, RAW);
      out[k] = r;
    }
  }
}

export function getPos(container: object, key: string | number): SourcePos | undefined {
  return (container as WithMeta)[POS]?.[key];
}

export function setPos(container: object, key: string | number, pos: SourcePos | undefined): void {
  if (!pos) return;
  const t = (container as WithMeta)[POS] ?? table<SourcePos>(container, POS);
  t[key] = pos;
}

/** Every recorded position and spelling of a container, for tests that compare two readers. */
export function metaEntries(container: object): { positions: [string, SourcePos][]; spellings: [string, string][] } {
  const pos = (container as WithMeta)[POS] ?? {};
  const raw = (container as WithMeta)[RAW] ?? {};
  return {
    positions: Object.keys(pos).map((k) => [k, pos[k] as SourcePos]),
    spellings: Object.keys(raw).map((k) => [k, raw[k] as string]),
  };
}
