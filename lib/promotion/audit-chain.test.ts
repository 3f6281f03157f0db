import { describe, expect, it } from "vitest";
import { canonicalJson, eventHash, GENESIS_HASH, normaliseDetail } from "./audit-chain";

const content = {
  promotionId: "6f1c1f4e-0000-4000-8000-000000000001",
  repository: "acme/gitops",
  type: "promotion.requested",
  actor: "alice",
  detail: { b: 2, a: { y: [1, "x", null], x: true } },
  createdAt: new Date("2026-03-02T12:00:00.123Z"),
};

describe("canonical JSON", () => {
  it("sorts keys at every level and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [3, { z: 1, y: 2 }] } })).toBe('{"a":{"c":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("turns dates into ISO strings and non-finite numbers into null", () => {
    expect(canonicalJson({ at: new Date(0), n: Number.NaN, big: 10n })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","big":"10","n":null}',
    );
  });

  it("normalised details are plain objects", () => {
    expect(normaliseDetail(undefined)).toEqual({});
    expect(normaliseDetail({ z: undefined, a: 1 })).toEqual({ a: 1 });
  });
});

describe("event hash", () => {
  it("is the SHA-256 of prevHash and the canonical content, whatever the key order", () => {
    const h = eventHash(GENESIS_HASH, content);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...content, detail: { a: { x: true, y: [1, "x", null] }, b: 2 } })).toBe(h);
  });

  it("changes with any field, and with the predecessor", () => {
    const h = eventHash(GENESIS_HASH, content);
    expect(eventHash("0".repeat(64), content)).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...content, actor: "mallory" })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...content, detail: { ...content.detail, b: 3 } })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...content, createdAt: new Date("2026-03-02T12:00:00.124Z") })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...content, promotionId: null })).not.toBe(h);
  });
});
