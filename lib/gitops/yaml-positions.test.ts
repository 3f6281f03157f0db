import { describe, expect, it } from "vitest";
import { copyMeta, copyMetaOf, getPos, metaEntries, rawSpelling, scalarText, setPos, setRaw } from "./yaml-positions";

describe("position and spelling tables", () => {
  it("treat keys named like Object.prototype members as ordinary keys", () => {
    const o: Record<string, unknown> = {};
    for (const k of ["constructor", "toString", "__proto__", "hasOwnProperty", "length"]) {
      expect(getPos(o, k)).toBeUndefined();
      expect(rawSpelling(o, k)).toBeUndefined();
    }
    setPos(o, "__proto__", { file: "f", line: 3 });
    setPos(o, "constructor", { file: "f", line: 4 });
    setRaw(o, "__proto__", "1.0");
    expect(getPos(o, "__proto__")).toEqual({ file: "f", line: 3 });
    expect(getPos(o, "constructor")).toEqual({ file: "f", line: 4 });
    expect(rawSpelling(o, "__proto__")).toBe("1.0");
  });

  it("stay invisible to keys, JSON, spreads and equality", () => {
    const o = { tag: 1 };
    setPos(o, "tag", { file: "f", line: 1 });
    setRaw(o, "tag", "1.0");
    expect(Object.keys(o)).toEqual(["tag"]);
    expect(JSON.stringify(o)).toBe('{"tag":1}');
    expect(getPos({ ...o }, "tag")).toBeUndefined();
    expect(o).toEqual({ tag: 1 });
    expect(scalarText(o, "tag")).toBe("1.0");
  });

  it("copy slot by slot, or a container's listed slots at once", () => {
    const from = [10, 20];
    setPos(from, 0, { file: "f", line: 1 });
    setPos(from, 1, { file: "f", line: 2 });
    setRaw(from, 1, "20.0");
    const one: number[] = [];
    copyMeta(from, 1, one, 0);
    expect(metaEntries(one)).toEqual({ positions: [["0", { file: "f", line: 2 }]], spellings: [["0", "20.0"]] });
    const all: number[] = [];
    copyMetaOf(from, all, 2);
    expect(metaEntries(all)).toEqual(metaEntries(from));
    const keys = { a: 1, b: 2 };
    setPos(keys, "b", { file: "g", line: 9 });
    const copy = {};
    copyMetaOf(keys, copy, ["a", "b"]);
    expect(metaEntries(copy)).toEqual({ positions: [["b", { file: "g", line: 9 }]], spellings: [] });
  });
});
