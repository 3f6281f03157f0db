/**
 * The public keys signatures are verified with: named in ladder.yaml's `signing.keys`, each a PEM
 * (`publicKey`) or the name of a `LADDER_SIGNING_KEY_*` variable holding one (`publicKeyEnv`).
 * ECDSA (P-256, P-384, P-521), Ed25519 and RSA keys, verified the way cosign does: ECDSA and RSA
 * (PKCS#1 v1.5) over SHA-256, Ed25519 over the message itself.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";

export interface SigningKeyConfig {
  name: string;
  publicKey?: string;
  publicKeyEnv?: string;
}

export interface SigningKey {
  name: string;
  /** Undefined when the key could not be loaded; `problem` says why. */
  key: KeyObject | undefined;
  problem?: string;
  /** sha256 of the key's SPKI DER, hex: what a cache entry verified against. */
  fingerprint: string;
}

const CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/** A PEM public key → the key, or why it is not one Ladder verifies with. */
export function loadPublicKey(pem: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPublicKey(pem.replaceAll("\\n", "\n"));
  } catch {
    return "is not a PEM public key (-----BEGIN PUBLIC KEY-----)";
  }
  if (key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "rsa") return key;
  if (key.asymmetricKeyType === "ec" && CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? "")) return key;
  return `is a ${key.asymmetricKeyType} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ""}; Ladder verifies ECDSA P-256/P-384/P-521, Ed25519 and RSA keys`;
}

function fingerprintOf(key: KeyObject | undefined, name: string): string {
  return key
    ? createHash("sha256")
        .update(key.export({ type: "spki", format: "der" }))
        .digest("hex")
    : `unusable:${name}`;
}

/** ladder.yaml's keys, loaded; `variable` reads a `LADDER_SIGNING_KEY_*` variable (lib/env.ts `signingKeyVariable`). */
export function loadSigningKeys(
  configs: readonly SigningKeyConfig[],
  variable: (name: string) => string | undefined,
): SigningKey[] {
  return configs.map((c) => {
    const pem = c.publicKey ?? (c.publicKeyEnv ? variable(c.publicKeyEnv) : undefined);
    if (pem === undefined)
      return {
        name: c.name,
        key: undefined,
        problem: c.publicKeyEnv ? `${c.publicKeyEnv} is not set` : "has neither publicKey nor publicKeyEnv",
        fingerprint: fingerprintOf(undefined, c.name),
      };
    const loaded = loadPublicKey(pem);
    if (typeof loaded === "string")
      return {
        name: c.name,
        key: undefined,
        problem: `${c.publicKeyEnv ?? "publicKey"} ${loaded}`,
        fingerprint: fingerprintOf(undefined, c.name),
      };
    return { name: c.name, key: loaded, fingerprint: fingerprintOf(loaded, c.name) };
  });
}

/** Does `signature` over `data` verify with `key`, as cosign signs? Never throws: a malformed signature is false. */
export function verifyWithKey(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === "ed25519") return verify(null, data, key, signature);
    if (key.asymmetricKeyType === "ec") return verify("sha256", data, { key, dsaEncoding: "der" }, signature);
    return verify("sha256", data, key, signature);
  } catch {
    return false;
  }
}
