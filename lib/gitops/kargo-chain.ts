import { type FileStore, isYamlPath } from "./file-store";
import { isObject, str } from "./yaml-source";

/** Kargo Stage objects give the real promotion order (`requestedFreight.sources.stages`). */
export function kargoChain(store: FileStore): string[] {
  const upstream = new Map<string, string[]>();
  for (const p of store.files.keys()) {
    if (!isYamlPath(p)) continue;
    const text = store.text(p);
    if (!text?.includes("kargo.akuity.io") || !text.includes("Stage")) continue;
    for (const d of store.peek(p).docs) {
      const v = d.value;
      if (!isObject(v) || v.kind !== "Stage" || !isObject(v.metadata)) continue;
      const name = str(v.metadata.name);
      if (!name) continue;
      const spec = isObject(v.spec) ? v.spec : {};
      const ups: string[] = [];
      for (const rf of Array.isArray(spec.requestedFreight) ? spec.requestedFreight : []) {
        if (isObject(rf) && isObject(rf.sources) && Array.isArray(rf.sources.stages))
          ups.push(...rf.sources.stages.filter((s): s is string => typeof s === "string"));
      }
      upstream.set(name, ups);
    }
  }
  const depth = (n: string, seen: Set<string>): number => {
    if (seen.has(n)) return 0;
    seen.add(n);
    const ups = upstream.get(n) ?? [];
    return ups.length === 0 ? 0 : 1 + Math.max(...ups.map((u) => depth(u, seen)));
  };
  return [...upstream.keys()]
    .map((n, i) => ({ n, d: depth(n, new Set()), i }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.n);
}
