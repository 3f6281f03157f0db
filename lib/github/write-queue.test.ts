import { describe, expect, it } from "vitest";
import { WriteQueue } from "./write-queue";

describe("WriteQueue", () => {
  it("runs tasks for one key one at a time, in order", async () => {
    const queue = new WriteQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.run("a/b", task("one", 20)), queue.run("a/b", task("two", 1))]);
    expect(results).toEqual(["one", "two"]);
    expect(events).toEqual(["start one", "end one", "start two", "end two"]);
    expect(queue.busy).toBe(0);
  });

  it("keeps going after a failed task", async () => {
    const queue = new WriteQueue();
    const failed = queue.run("k", async () => {
      throw new Error("boom");
    });
    const next = queue.run("k", async () => "ok");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });

  it("does not serialise different repositories", async () => {
    const queue = new WriteQueue();
    let concurrent = 0;
    let peak = 0;
    const task = async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((r) => setTimeout(r, 10));
      concurrent--;
    };
    await Promise.all([queue.run("x", task), queue.run("y", task)]);
    expect(peak).toBe(2);
  });
});
