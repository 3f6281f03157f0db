import { afterEach, describe, expect, it } from "vitest";
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

  describe("ignores the process's time zone", () => {
    const original = process.env.TZ;
    afterEach(() => {
      // Node re-reads TZ when it is assigned; deleting restores the system zone.
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    });

    // Kiritimati is UTC+14 and Pago Pago UTC-11: each puts these instants on the other side of a Monday.
    it.each(["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin", "America/New_York"])("in %s", (zone) => {
      process.env.TZ = zone;
      expect(isoWeek(new Date("2021-01-03T23:30:00Z")).key).toBe("2020-W53"); // Sunday night UTC
      expect(isoWeek(new Date("2021-01-04T00:30:00Z")).key).toBe("2021-W01"); // Monday morning UTC
      expect(isoWeek(new Date("2025-12-28T23:59:59.999Z")).key).toBe("2025-W52");
      expect(isoWeek(new Date("2025-12-29T00:00:00Z")).key).toBe("2026-W01");
      expect(isoWeek(new Date("2021-01-04T00:30:00Z")).start.toISOString()).toBe("2021-01-04T00:00:00.000Z");
      expect(isoWeek(new Date("2021-01-03T23:30:00Z")).start.toISOString()).toBe("2020-12-28T00:00:00.000Z");
      expect(isoWeeksBetween(new Date("2021-01-03T23:30:00Z"), new Date("2021-01-04T00:30:00Z")).map((w) => w.key)).toEqual([
        "2020-W53",
        "2021-W01",
      ]);
    });
  });

  it("start is a plain Date", () => {
    expect(Object.getPrototypeOf(isoWeek(new Date("2026-03-05T18:00:00Z")).start)).toBe(Date.prototype);
  });
});
