/** Cosign simple-signing and Sigstore bundle checks, on signatures made in the documented formats. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  dsseBundle,
  ecdsaKey,
  ed25519Key,
  inTotoStatement,
  messageBundle,
  signBytes,
  simpleSigningPayload,
  type TestKey,
} from "../../local-registry/cosign-signer";
import { checkSimpleSigning } from "./cosign";
import { loadPublicKey, loadSigningKeys, type SigningKey } from "./signing-keys";
import { checkBundle } from "./sigstore-bundle";

const digest = `sha256:${"ab".repeat(32)}`;
const other = `sha256:${"cd".repeat(32)}`;
const release = ecdsaKey();
const edge = ed25519Key();
const stranger = ecdsaKey();

function keysOf(entries: Record<string, TestKey>): SigningKey[] {
  return loadSigningKeys(
    Object.entries(entries).map(([name, k]) => ({ name, publicKey: k.publicPem })),
    () => undefined,
  );
}

describe("signing keys", () => {
  it("loads ECDSA and Ed25519 PEMs (also with escaped newlines) and names what it cannot load", () => {
    expect(typeof loadPublicKey(release.publicPem)).not.toBe("string");
    expect(typeof loadPublicKey(edge.publicPem.replaceAll("\n", "\\n"))).not.toBe("string");
    expect(loadPublicKey("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")).toMatch(/not a PEM public key/);
    const [unset, bad] = loadSigningKeys(
      [
        { name: "ci", publicKeyEnv: "LADDER_SIGNING_KEY_CI" },
        { name: "bad", publicKeyEnv: "LADDER_SIGNING_KEY_BAD" },
      ],
      (name) => (name === "LADDER_SIGNING_KEY_BAD" ? "garbage" : undefined),
    );
    expect(unset).toMatchObject({ name: "ci", key: undefined, problem: "LADDER_SIGNING_KEY_CI is not set" });
    expect(bad?.problem).toMatch(/LADDER_SIGNING_KEY_BAD is not a PEM public key/);
  });
});

describe("cosign simple signing", () => {
  const keys = keysOf({ release, edge });
  const payload = simpleSigningPayload("ghcr.io/acme/api", digest);

  it("verifies an ECDSA P-256 and an Ed25519 signature, naming the key", () => {
    expect(checkSimpleSigning(payload, signBytes(release, payload).toString("base64"), digest, keys)).toEqual({
      verifiedBy: ["release"],
    });
    expect(checkSimpleSigning(payload, signBytes(edge, payload).toString("base64"), digest, keys)).toEqual({
      verifiedBy: ["edge"],
    });
  });

  it("refuses a wrong key, another digest, another type, a tampered payload and malformed input, without throwing", () => {
    const byStranger = signBytes(stranger, payload).toString("base64");
    expect(checkSimpleSigning(payload, byStranger, digest, keys).problem).toBe(
      "the signature does not verify with any of the keys release, edge",
    );
    const elsewhere = simpleSigningPayload("ghcr.io/acme/api", other);
    expect(checkSimpleSigning(elsewhere, signBytes(release, elsewhere).toString("base64"), digest, keys).problem).toBe(
      `signed by release, but for ${other}, not ${digest}`,
    );
    const attest = simpleSigningPayload("ghcr.io/acme/api", digest, "something else");
    expect(checkSimpleSigning(attest, signBytes(release, attest).toString("base64"), digest, keys).problem).toMatch(
      /type is "something else"/,
    );
    const tampered = Buffer.from(payload.toString().replace("ghcr.io", "evil.io"));
    expect(checkSimpleSigning(tampered, signBytes(release, payload).toString("base64"), digest, keys).verifiedBy).toEqual([]);
    expect(checkSimpleSigning(payload, "%%%", digest, keys).problem).toBe("the signature annotation is not base64");
    expect(checkSimpleSigning(payload, undefined, digest, keys).problem).toMatch(/no dev.cosignproject.cosign\/signature/);
    expect(checkSimpleSigning(payload, Buffer.from("short").toString("base64"), digest, keys).verifiedBy).toEqual([]);
    const notJson = Buffer.from("{");
    expect(checkSimpleSigning(notJson, signBytes(release, notJson).toString("base64"), digest, keys).problem).toBe(
      "the signed payload is not JSON",
    );
  });

  it("says a keyless signature is not verified", () => {
    const sig = signBytes(stranger, payload).toString("base64");
    expect(checkSimpleSigning(payload, sig, digest, keys, "-----BEGIN CERTIFICATE-----").problem).toMatch(/keyless/);
  });
});

describe("Sigstore bundles", () => {
  const keys = keysOf({ release });

  it("verifies a keyed DSSE bundle whose statement names the digest", () => {
    expect(checkBundle(dsseBundle(release, inTotoStatement("ghcr.io/acme/api", digest)), digest, keys, undefined)).toEqual({
      verifiedBy: ["release"],
    });
  });

  it("refuses another key, another subject, a tampered envelope and what is not a bundle", () => {
    const statement = inTotoStatement("ghcr.io/acme/api", digest);
    expect(checkBundle(dsseBundle(stranger, statement), digest, keys, undefined).problem).toBe(
      "the bundle's signature does not verify with key release",
    );
    expect(checkBundle(dsseBundle(release, inTotoStatement("x", other)), digest, keys, undefined).problem).toMatch(
      /does not name/,
    );
    const bundle = dsseBundle(release, statement) as { dsseEnvelope: { payloadType: string } };
    bundle.dsseEnvelope.payloadType = "application/vnd.in-toto+json ";
    expect(checkBundle(bundle, digest, keys, undefined).verifiedBy).toEqual([]);
    expect(checkBundle({ mediaType: "nope" }, digest, keys, undefined).problem).toMatch(/not a valid Sigstore bundle/);
    expect(checkBundle(null, digest, keys, undefined).problem).toMatch(/not a valid Sigstore bundle/);
  });

  it("verifies a message signature over the image manifest's bytes", () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const hex = createHash("sha256").update(manifest).digest("hex");
    const asked = `sha256:${hex}`;
    expect(checkBundle(messageBundle(release, manifest, hex), asked, keys, manifest)).toEqual({ verifiedBy: ["release"] });
    expect(checkBundle(messageBundle(release, manifest, hex), digest, keys, manifest).problem).toMatch(/another artifact/);
    expect(checkBundle(messageBundle(release, manifest, hex), asked, keys, Buffer.from("other")).verifiedBy).toEqual([]);
  });

  it("says a keyless bundle is not verified", () => {
    const bundle = dsseBundle(release, inTotoStatement("x", digest)) as { verificationMaterial: Record<string, unknown> };
    bundle.verificationMaterial = { certificate: { rawBytes: Buffer.from("cert").toString("base64") }, tlogEntries: [] };
    expect(checkBundle(bundle, digest, keys, undefined).problem).toMatch(/keyless bundle/);
  });
});
