/**
 * `list.find((x) => x.name === name)` in constant time: an index per list, built on first use and
 * kept beside it (a WeakMap, so it goes when the list goes). Scans and plans are lists of
 * thousands of apps looked up once per cell pair: the drift report of a 5,000-app repository made
 * 15,000 linear searches of 5,000 apps. The index is rebuilt when the list's length changes, and
 * a hit is checked against the list, so a list still being filled (or changed in place) is
 * searched again rather than answered from a stale index.
 */
const indexes = new WeakMap<readonly object[], { length: number; byName: Map<string, number> }>();

export function findByName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let index = indexes.get(list);
  if (!index || index.length !== list.length) {
    const byName = new Map<string, number>();
    // The first of several with one name, as find() returns.
    list.forEach((item, i) => {
      if (!byName.has(item.name)) byName.set(item.name, i);
    });
    index = { length: list.length, byName };
    indexes.set(list, index);
  }
  const at = index.byName.get(name);
  const hit = at === undefined ? undefined : list[at];
  if (hit?.name === name) return hit;
  // Not indexed: absent, unless an item was renamed to it in place.
  if (at === undefined && !list.some((x) => x.name === name)) return undefined;
  // Renamed or replaced in place since it was indexed: answer as find() does, and re-index next time.
  indexes.delete(list);
  return list.find((x) => x.name === name);
}
