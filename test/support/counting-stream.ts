/** Chunk size of `countingStream`. */
export const CHUNK = 64 * 1024;

/**
 * A body of `total` bytes made only when read (highWaterMark 0) and counted, so a test can
 * assert how much a reader pulled before it stopped, and whether it cancelled the stream.
 */
export function countingStream(total: number, chunk = CHUNK) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled >= total) {
          controller.close();
          return;
        }
        const size = Math.min(chunk, total - seen.pulled);
        seen.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}
