import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findByName } from "./find-by-name";

describe("findByName", () => {
  it("answers as Array.prototype.find on name, duplicates and misses included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 12 }),
        fc.constantFrom("a", "b", "c", "e"),
        (names, wanted) => {
          const list = names.map((name, i) => ({ name, i }));
          expect(findByName(list, wanted)).toBe(list.find((x) => x.name === wanted));
        },
      ),
    );
  });

  it("follows a list that grows or changes in place after it was indexed", () => {
    const list = [{ name: "api" }];
    expect(findByName(list, "worker")).toBeUndefined();
    list.push({ name: "worker" });
    expect(findByName(list, "worker")).toBe(list[1]);
    const first = list[0];
    if (first) first.name = "gateway";
    expect(findByName(list, "api")).toBeUndefined();
    expect(findByName(list, "gateway")).toBe(first);
  });
});
