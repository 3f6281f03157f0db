import { describe, expect, it } from "vitest";
import { isoWeek, isoWeeksBetween } from "./iso-week";

describe("isoWeek", () => {
  it.each([
    ["2026-01-01T00:00:00Z", "2026-W01"], // Thursday
    ["2025-12-29T00:00:00Z", "2026-W01"], // Monday of the week holding Jan 1st 2026
    ["2021-01-03T23:59:59Z", "2020-W53"], // Sunday, still the last week of 2020
    ["2021-01-04T00:00:00Z", "2021-W01"],
    ["2024-12-30T10:00:00Z", "2025-W01"],
    ["2026-03-02T12:00:00Z", "2026-W10"],
    ["2026-03-08T23:00:00Z", "2026-W10"],
  ])("%s is %s", (at, key) => {
    expect(isoWeek(new Date(at)).key).toBe(key);
  });

  it("starts on Monday 00:00 UTC", () => {
    expect(isoWeek(new Date("2026-03-05T18:00:00Z")).start.toISOString()).toBe("2026-03-02T00:00:00.000Z");
  });

  it("lists consecutive weeks across a year end", () => {
    expect(isoWeeksBetween(new Date("2020-12-20Z"), new Date("2021-01-12Z")).map((w) => w.key)).toEqual([
      "2020-W51",
      "2020-W52",
      "2020-W53",
      "2021-W01",
      "2021-W02",
    ]);
  });
});
