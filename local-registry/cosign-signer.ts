/**
 * Signatures in the formats cosign and Sigstore write, made in-process for tests: no cosign binary
 * exists for this machine (it is neither on npm nor in Debian), so the helper follows the documented
 * formats instead (sigstore/cosign specs/SIGNATURE_SPEC.md and BUNDLE_SPEC.md; the DSSE envelope's
 * pre-authentication encoding from secure-systems-lab/dsse). Ladder's verifier then checks them as
 * it would check cosign's own.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `-----BEGIN PUBLIC KEY-----…`, as `cosign.pub` holds it. */
  publicPem: string;
}

export function ecdsaKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export function ed25519Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Signs as cosign does: ECDSA over SHA-256 (DER), Ed25519 over the message. */
export function signBytes(key: TestKey, data: Uint8Array): Buffer {
  return key.privateKey.asymmetricKeyType === "ed25519" ? sign(null, data, key.privateKey) : sign("sha256", data, key.privateKey);
}

/** The simple-signing payload `cosign sign` signs for `digest` (critical.identity is informational). */
export function simpleSigningPayload(repository: string, digest: string, type = "cosign container image signature"): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { "docker-reference": repository }, image: { "docker-manifest-digest": digest }, type },
      optional: null,
    }),
  );
}

/** DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

/** An in-toto statement about `digest`, as `cosign attest` or `sign --new-bundle-format` wraps it. */
export function inTotoStatement(repository: string, digest: string): Buffer {
  const [algorithm = "sha256", hex = ""] = digest.split(":");
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: repository, digest: { [algorithm]: hex } }],
      predicateType: "https://sigstore.dev/cosign/sign/v1",
      predicate: {},
    }),
  );
}

/** The layer annotation holding a cosign signature (SIGNATURE_SPEC.md). */
export const COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** A keyed Sigstore bundle (v0.3) holding a DSSE envelope over `statement`, signed with `key`. */
export function dsseBundle(key: TestKey, statement: Buffer, hint = "test-key"): Record<string, unknown> {
  const payloadType = "application/vnd.in-toto+json";
  const sig = signBytes(key, preAuthEncoding(payloadType, statement));
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
    dsseEnvelope: {
      payload: statement.toString("base64"),
      payloadType,
      signatures: [{ sig: sig.toString("base64"), keyid: "" }],
    },
  };
}

/** A keyed Sigstore bundle (v0.3) with a message signature over `artifact` (the image manifest's bytes). */
export function messageBundle(key: TestKey, artifact: Buffer, digestHex: string, hint = "test-key"): Record<string, unknown> {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: "SHA2_256", digest: Buffer.from(digestHex, "hex").toString("base64") },
      signature: signBytes(key, artifact).toString("base64"),
    },
  };
}
