import type { SourcePos } from "./types";

/**
 * Where each value came from, keyed by the container object and the key or index inside it, and the
 * source spelling of numbers. Both YAML readers (yaml-fast.ts and the `yaml` package path in
 * yaml-source.ts) write through these, so their results carry the same side tables.
 * A side table (rather than wrapper objects) keeps merges, patches and comparisons plain JavaScript.
 */
const POS: unique symbol = Symbol("positions");
type WithPos = { [POS]?: Map<string | number, SourcePos> };
/** The literal text of numeric scalars (`tag: 1.0` must stay "1.0", not become 1). */
const rawNumbers = new WeakMap<object, Map<string | number, string>>();

/** The value as YAML wrote it: numbers keep their source spelling. */
export function scalarText(container: object, key: string | number): string | undefined {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return rawNumbers.get(container)?.get(key) ?? String(v);
  if (typeof v === "boolean") return String(v);
  return undefined;
}

/** The recorded source spelling of a slot, if any (scalarText falls back to String(value)). */
export function rawSpelling(container: object, key: string | number): string | undefined {
  return rawNumbers.get(container)?.get(key);
}

export function setRaw(container: object, key: string | number, raw: string | undefined): void {
  if (raw === undefined) return;
  let m = rawNumbers.get(container);
  if (!m) {
    m = new Map();
    rawNumbers.set(container, m);
  }
  m.set(key, raw);
}

/** Copies a value's position (and numeric spelling) from one container slot to another. */
export function copyMeta(from: object, fromKey: string | number, to: object, toKey: string | number): void {
  setPos(to, toKey, getPos(from, fromKey));
  setRaw(to, toKey, rawNumbers.get(from)?.get(fromKey));
}

export function getPos(container: object, key: string | number): SourcePos | undefined {
  return (container as WithPos)[POS]?.get(key);
}

/**
 * Positions live on a non-enumerable symbol property: invisible to JSON, Object.keys and equality checks,
 * and much cheaper than a WeakMap lookup on the scan's hot path.
 */
export function setPos(container: object, key: string | number, pos: SourcePos | undefined): void {
  if (!pos) return;
  let m = (container as WithPos)[POS];
  if (!m) {
    m = new Map();
    Object.defineProperty(container, POS, { value: m, enumerable: false, writable: true });
  }
  m.set(key, pos);
}
