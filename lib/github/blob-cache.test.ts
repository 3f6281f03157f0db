import { describe, expect, it } from "vitest";
import { BlobCache } from "./blob-cache";
import { gitBlobSha } from "./git-blob-sha";

describe("BlobCache", () => {
  it("evicts least recently used entries past the byte limit", () => {
    const cache = new BlobCache(10);
    cache.set("a", "aaaa");
    cache.set("b", "bbbb");
    expect(cache.get("a")).toBe("aaaa"); // a is now most recent
    cache.set("c", "cccc");
    expect(cache.has("b")).toBe(false);
    expect(cache.has("a")).toBe(true);
    expect(cache.has("c")).toBe(true);
    expect(cache.bytes).toBe(8);
  });

  it("ignores a single entry larger than the cache", () => {
    const cache = new BlobCache(3);
    cache.set("big", "four");
    expect(cache.size).toBe(0);
  });

  it("replacing an entry does not double-count bytes", () => {
    const cache = new BlobCache(100);
    cache.set("a", "xx");
    cache.set("a", "xx");
    expect(cache.bytes).toBe(2);
  });

  it("keeps an empty blob", () => {
    const cache = new BlobCache(10);
    cache.set("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", "");
    expect(cache.get("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")).toBe("");
  });

  it("counts bytes, not characters", () => {
    const cache = new BlobCache(10);
    cache.set("a", "ééé"); // 6 bytes in UTF-8
    cache.set("b", "éé"); // 4 more: exactly full
    expect(cache.bytes).toBe(10);
    cache.set("c", "x");
    expect(cache.has("a")).toBe(false);
    expect(cache.has("b")).toBe(true);
  });

  it("has() does not refresh an entry", () => {
    const cache = new BlobCache(8);
    cache.set("a", "aaaa");
    cache.set("b", "bbbb");
    expect(cache.has("a")).toBe(true);
    cache.set("c", "cccc");
    expect(cache.has("a")).toBe(false);
    expect(cache.has("b")).toBe(true);
  });
});

describe("gitBlobSha", () => {
  it("matches git hash-object", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    expect(gitBlobSha(Buffer.alloc(0))).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  });
});
