import { describe, expect, it } from "vitest";
import { CHUNK, countingStream } from "../../test/support/counting-stream";
import { BodyTooLargeError, readBody, readTextBody } from "./read-body";

const MB = 1024 * 1024;

const source = (body: ReadableStream<Uint8Array> | null, contentLength?: string) => ({
  headers: new Headers(contentLength === undefined ? {} : { "content-length": contentLength }),
  body,
});

describe("readBody", () => {
  it("reads a body under the limit whole", async () => {
    const { stream, seen } = countingStream(3 * CHUNK + 7);
    const bytes = await readBody(source(stream), MB);
    expect(bytes.byteLength).toBe(3 * CHUNK + 7);
    expect(bytes.every((b) => b === 0x20)).toBe(true);
    expect(seen.cancelled).toBe(false);
  });

  it("accepts a body of exactly the limit", async () => {
    const { stream } = countingStream(MB);
    expect((await readBody(source(stream, String(MB)), MB)).byteLength).toBe(MB);
  });

  it("refuses a declared Content-Length over the limit without reading a byte", async () => {
    const { stream, seen } = countingStream(50 * MB);
    await expect(readBody(source(stream, String(50 * MB)), 25 * MB)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(seen.pulled).toBe(0);
    expect(stream.locked).toBe(false);
  });

  it("stops a stream with no Content-Length as soon as it passes the limit, and cancels it", async () => {
    const { stream, seen } = countingStream(50 * MB);
    const error = await readBody(source(stream), 25 * MB).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ status: 413, limit: 25 * MB });
    // One chunk past the limit is what it takes to know the limit was passed.
    expect(seen.pulled).toBeGreaterThan(25 * MB);
    expect(seen.pulled).toBeLessThanOrEqual(25 * MB + CHUNK);
    expect(seen.cancelled).toBe(true);
  });

  it("does not believe a Content-Length that understates the body", async () => {
    const { stream, seen } = countingStream(10 * MB);
    await expect(readBody(source(stream, "10"), MB)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(seen.pulled).toBeLessThanOrEqual(MB + CHUNK);
  });

  it("counts bytes, not chunks: one huge chunk is refused", async () => {
    const { stream, seen } = countingStream(2 * MB, 2 * MB);
    await expect(readBody(source(stream), MB)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(seen.cancelled).toBe(true);
  });

  it("treats no body as empty", async () => {
    expect((await readBody(source(null), MB)).byteLength).toBe(0);
  });

  it("passes a stream's own error on", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull() {
        throw new Error("connection reset");
      },
    });
    await expect(readBody(source(failing), MB)).rejects.toThrow("connection reset");
  });

  it("reads a Request's body the way request.text() would", async () => {
    const text = '\uFEFF{"zen":"Keep it logically awesome. ✓"}';
    const request = new Request("http://ladder.test/x", { method: "POST", body: text });
    expect(await readTextBody(request, MB)).toBe(
      await new Request("http://ladder.test/x", { method: "POST", body: text }).text(),
    );
  });
});
