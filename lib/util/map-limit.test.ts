import { describe, expect, test } from "vitest";
import { mapLimit } from "./map-limit";

describe("mapLimit", () => {
  test("keeps at most `limit` tasks in flight and the results in input order", async () => {
    let active = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 0];
    const results = await mapLimit(delays, 2, async (ms) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, ms));
      active--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20, 0]);
    expect(peak).toBe(2);
  });

  test("an empty list resolves to an empty list without calling the task", async () => {
    let calls = 0;
    expect(await mapLimit([], 4, async () => ++calls)).toEqual([]);
    expect(calls).toBe(0);
  });

  test("rejects with the first task's error", async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error("two");
        return n;
      }),
    ).rejects.toThrow("two");
  });

  test("refuses a limit below one instead of silently running nothing", async () => {
    await expect(mapLimit([1], 0, async (n) => n)).rejects.toThrow(TypeError);
  });
});
