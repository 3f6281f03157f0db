import { LRUCache } from "lru-cache";

/**
 * Content-addressed cache of file contents keyed by git blob SHA. A SHA names its content
 * forever, so entries never go stale and every reader, branch and replica can share them;
 * the only limit is memory, bounded here by total bytes with least-recently-used eviction.
 */
export class BlobCache {
  private readonly entries: LRUCache<string, string>;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {
    this.entries = new LRUCache<string, string>({
      maxSize: maxBytes,
      // lru-cache needs a positive size; an empty blob (git has one) counts as one byte.
      sizeCalculation: (content) => Math.max(1, Buffer.byteLength(content)),
    });
  }

  get(sha: string): string | undefined {
    return this.entries.get(sha);
  }

  /** Presence only: unlike `get`, does not count as a use. */
  has(sha: string): boolean {
    return this.entries.has(sha);
  }

  /** Content larger than the whole cache is not kept (lru-cache's maxEntrySize defaults to maxSize). */
  set(sha: string, content: string): void {
    this.entries.set(sha, content);
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Process-wide cache shared by every GitHub reader. */
export const sharedBlobCache = new BlobCache();
