import { AsyncLocalStorage } from "node:async_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { PromiseCache } from "./promise-cache";

describe("PromiseCache", () => {
  test("shares one computation per key, keeps the most recently used within the bound", async () => {
    const cache = new PromiseCache<string, number>(2);
    let runs = 0;
    const compute = (n: number) => async () => {
      runs++;
      return n;
    };
    expect(await Promise.all([cache.get("a", compute(1)), cache.get("a", compute(99))])).toEqual([1, 1]);
    await cache.get("b", compute(2));
    await cache.get("a", compute(99)); // a is now the most recent
    await cache.get("c", compute(3)); // evicts b
    expect(cache.size).toBe(2);
    expect(await cache.get("a", compute(99))).toBe(1);
    expect(await cache.get("b", compute(20))).toBe(20);
    expect(runs).toBe(4);
  });

  test("forgets a failed computation so the next caller retries", async () => {
    const cache = new PromiseCache<string, number>(4);
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get("k", async () => 7)).toBe(7);
  });

  test("a late rejection of an evicted attempt does not drop the newer one", async () => {
    const cache = new PromiseCache<string, number>(1);
    let fail: (err: Error) => void = () => {};
    const first = cache.get("k", () => new Promise<number>((_, reject) => (fail = reject)));
    cache.get("other", async () => 0); // evicts the first "k"
    let runs = 0;
    const second = cache.get("k", async () => ++runs);
    fail(new Error("late"));
    await expect(first).rejects.toThrow("late");
    expect(await second).toBe(1);
    expect(await cache.get("k", async () => ++runs)).toBe(1);
    expect(runs).toBe(1);
  });

  test("a computation that throws synchronously is not cached", async () => {
    const cache = new PromiseCache<string, number>(4);
    expect(() =>
      cache.get("k", () => {
        throw new Error("sync");
      }),
    ).toThrow("sync");
    expect(cache.size).toBe(0);
    expect(await cache.get("k", async () => 7)).toBe(7);
  });
});

describe("PromiseCache.forget", () => {
  test("drops a settled entry, and a running computation forgotten before it settles is not kept", async () => {
    const cache = new PromiseCache<string, number>(4);
    await cache.get("a", async () => 1);
    cache.forget("a");
    expect(await cache.get("a", async () => 2)).toBe(2);
    let release: (n: number) => void = () => {};
    const running = cache.get("b", () => new Promise<number>((resolve) => (release = resolve)));
    cache.forget("b");
    release(3);
    expect(await running).toBe(3);
    expect(await cache.get("b", async () => 4)).toBe(4);
  });
});

describe("PromiseCache and request contexts", () => {
  test("keeps a settled value, not the promise that carried the filling request's AsyncLocalStorage store", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const als = new AsyncLocalStorage<{ request: number[] }>();
    const cache = new PromiseCache<string, number>(10);
    let ref: WeakRef<object> | undefined;
    await (async () => {
      const store = { request: new Array<number>(10_000).fill(1) };
      ref = new WeakRef(store);
      await als.run(store, () => cache.get("k", async () => 1));
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(ref?.deref()).toBeUndefined();
    // …and still answers from the cache.
    expect(await cache.get("k", async () => 2)).toBe(1);
  });
});
