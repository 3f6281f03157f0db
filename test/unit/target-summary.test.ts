import { describe, expect, it } from "vitest";
import { targetSummary } from "@/lib/data/matrix";

describe("targetSummary: one line for an environment that fans out", () => {
  it("says all when every target runs the same", () => {
    expect(targetSummary(Array.from({ length: 9 }, () => ({ version: "1a2b3c4" })))).toBe("9 targets · all 1a2b3c4");
    expect(targetSummary([{ version: "1.4.0" }])).toBe("1 target · 1.4.0");
  });

  it("puts the most common version first and counts the rest", () => {
    const targets = [
      ...Array.from({ length: 7 }, () => ({ version: "1a2b3c4" })),
      { version: "5d6e7f8" },
      { version: "5d6e7f8" },
    ];
    expect(targetSummary(targets)).toBe("7 of 9 on 1a2b3c4 · 2 on 5d6e7f8");
    expect(targetSummary([{ version: "b" }, { version: "a" }])).toBe("1 of 2 on a · 1 on b");
  });
});
