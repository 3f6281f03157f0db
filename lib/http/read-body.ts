/**
 * Reads a request body up to a byte limit, for endpoints anyone can reach before they can be
 * authenticated (a signed webhook must be read whole before its signature can be checked, so
 * `request.text()` there would let anyone make Ladder hold any number of bytes).
 *
 * A Content-Length over the limit is refused before a byte is read. Otherwise the stream is read
 * with a running count and cancelled the moment it passes the limit: a chunked upload has no
 * Content-Length, and a Content-Length is only a claim.
 */

export class BodyTooLargeError extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/** What is read of a Request (a structural type, so tests and callers need no Next import). */
export interface BodySource {
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}

/** The body's bytes; throws BodyTooLargeError past `limit` bytes. */
export async function readBody(request: BodySource, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length")?.trim();
  // Node's HTTP parser has already refused a malformed Content-Length; anything else is not a length.
  if (declared && /^\d+$/.test(declared) && Number(declared) > limit) throw new BodyTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        // Tells the source to stop producing (for a Node request: stop pulling from the socket).
        await reader.cancel("request body over the size limit");
        throw new BodyTooLargeError(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }

  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body as text, decoded as `request.text()` does (UTF-8, a leading BOM dropped). */
export async function readTextBody(request: BodySource, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBody(request, limit));
}
