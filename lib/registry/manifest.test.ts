import { describe, expect, it } from "vitest";
import { digestOf, indexPlatforms, MEDIA_TYPES, parseImageConfig, parseManifest, representativeChild } from "./manifest";

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe("manifests", () => {
  it("tells an index from an image, by field or by Content-Type", () => {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    expect(parseManifest(index, null)).toMatchObject({ kind: "index", mediaType: MEDIA_TYPES.ociIndex });
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: d(1) }, layers: [] }));
    expect(parseManifest(image, `${MEDIA_TYPES.dockerManifest}; charset=utf-8`)).toMatchObject({
      kind: "manifest",
      mediaType: MEDIA_TYPES.dockerManifest,
    });
    expect(parseManifest(Buffer.from("nope"), null)).toBe("the manifest is not JSON");
    expect(parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1 })), null)).toMatch(/schema 1/);
  });

  it("lists an index's platforms without buildx's attestation entries and picks linux/amd64", () => {
    const entries = [
      { digest: d(1), platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      { digest: d(2), platform: { os: "linux", architecture: "amd64" } },
      { digest: d(3), platform: { os: "unknown", architecture: "unknown" } },
    ];
    expect(indexPlatforms(entries)).toEqual(["linux/arm64/v8", "linux/amd64"]);
    expect(representativeChild(entries)?.digest).toBe(d(2));
    expect(representativeChild(entries.slice(0, 1))?.digest).toBe(d(1));
  });

  it("reads created, platform and labels of a config", () => {
    const config = Buffer.from(
      JSON.stringify({ created: "2026-01-02T03:04:05Z", os: "linux", architecture: "amd64", config: { Labels: { a: "b" } } }),
    );
    expect(parseImageConfig(config)).toEqual({ created: "2026-01-02T03:04:05Z", platform: "linux/amd64", labels: { a: "b" } });
    expect(parseImageConfig(Buffer.from(JSON.stringify({ config: { Labels: null } })))).toEqual({
      created: null,
      platform: null,
      labels: {},
    });
  });

  it("hashes with the digest's algorithm", () => {
    expect(digestOf(Buffer.from(""))).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(digestOf(Buffer.from(""), "sha512:x")).toMatch(/^sha512:[0-9a-f]{128}$/);
  });
});
