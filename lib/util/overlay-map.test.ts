import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OverlayMap } from "./overlay-map";

type Op = { op: "set"; key: number; value: number } | { op: "delete"; key: number } | { op: "clear" } | { op: "fork" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), key: fc.nat(40), value: fc.integer() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), key: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.constant({ op: "clear" as const }) },
  { weight: 2, arbitrary: fc.constant({ op: "fork" as const }) },
);

describe("OverlayMap", () => {
  it("behaves as a copy of its base would, iteration order included, generation after generation (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), fc.integer()), { maxLength: 30 }),
        fc.array(opArb, { maxLength: 80 }),
        (seed, ops) => {
          const root = new Map(seed);
          const rootCopy = [...root];
          let real = new Map(root);
          let overlay: Map<number, number> = OverlayMap.of(root);
          const earlier: { map: Map<number, number>; entries: [number, number][] }[] = [];
          for (const o of ops) {
            if (o.op === "set") {
              real.set(o.key, o.value);
              overlay.set(o.key, o.value);
            } else if (o.op === "delete") expect(overlay.delete(o.key)).toBe(real.delete(o.key));
            else if (o.op === "clear") {
              real.clear();
              overlay.clear();
            } else {
              // A refresh: the next generation starts from this one, which must not change after.
              earlier.push({ map: overlay, entries: [...real] });
              real = new Map(real);
              overlay = OverlayMap.of(overlay);
            }
            expect([...overlay]).toEqual([...real]);
            expect(overlay.size).toBe(real.size);
          }
          for (let k = 0; k <= 41; k++) {
            expect(overlay.get(k)).toBe(real.get(k));
            expect(overlay.has(k)).toBe(real.has(k));
          }
          expect([...overlay.keys()]).toEqual([...real.keys()]);
          expect([...overlay.values()]).toEqual([...real.values()]);
          for (const e of earlier) expect([...e.map]).toEqual(e.entries);
          expect([...root]).toEqual(rootCopy);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("shares one root however many generations are stacked, and flattens once the changes outgrow it", () => {
    const root = new Map(Array.from({ length: 10_000 }, (_, i) => [i, i] as const));
    let m = OverlayMap.of(root);
    for (let g = 0; g < 50; g++) {
      m.set(g, -g);
      m = OverlayMap.of(m);
    }
    expect(m.get(3)).toBe(-3);
    expect(m.get(9_999)).toBe(9_999);
    // 50 changes on 10,000 entries: still the same root, lookups one level deep.
    expect((m as unknown as { root: Map<number, number> }).root).toBe(root);
    for (let i = 0; i < 2_000; i++) m.set(i, 0);
    const next = OverlayMap.of(m);
    expect((next as unknown as { root: Map<number, number> }).root).not.toBe(root);
    expect([...next]).toEqual([...m]);
  });

  it("remembers which keys this generation set or deleted", () => {
    const m = OverlayMap.of(new Map([["a", 1]]));
    m.set("b", 2);
    m.delete("a");
    m.delete("zz");
    expect([...m.touched].sort()).toEqual(["a", "b"]);
    expect([...OverlayMap.of(m).touched]).toEqual([]);
  });
});
