/**
 * Content-addressed cache of file contents keyed by git blob SHA. A SHA names its content
 * forever, so entries never go stale and every reader, branch and replica can share them;
 * the only limit is memory, bounded here by total bytes with least-recently-used eviction.
 */
export class BlobCache {
  private readonly entries = new Map<string, string>();
  private totalBytes = 0;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  get(sha: string): string | undefined {
    const value = this.entries.get(sha);
    if (value === undefined) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(sha);
    this.entries.set(sha, value);
    return value;
  }

  has(sha: string): boolean {
    return this.entries.has(sha);
  }

  set(sha: string, content: string): void {
    const size = Buffer.byteLength(content);
    if (size > this.maxBytes) return;
    const previous = this.entries.get(sha);
    if (previous !== undefined) {
      this.entries.delete(sha);
      this.totalBytes -= Buffer.byteLength(previous);
    }
    this.entries.set(sha, content);
    this.totalBytes += size;
    for (const [oldest, value] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= Buffer.byteLength(value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}

/** Process-wide cache shared by every GitHub reader. */
export const sharedBlobCache = new BlobCache();
