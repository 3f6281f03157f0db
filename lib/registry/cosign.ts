/**
 * Keyed cosign signatures (sigstore/cosign specs/SIGNATURE_SPEC.md): the image's signatures live
 * in the same repository under the tag `sha256-<hex>.sig`, one OCI manifest whose layers are
 * simple-signing payloads (`application/vnd.dev.cosign.simplesigning.v1+json`), each with its
 * base64 signature in the `dev.cosignproject.cosign/signature` annotation. A layer counts when
 * its signature verifies with a configured key and its payload names this digest
 * (`critical.image.docker-manifest-digest`); `critical.identity` is ignored, as cosign does.
 */
import type { AskedFor, SignatureCheck } from "./evidence-types";
import { type FetchContext, type Fetched, fetchBlob, fetchManifest } from "./fetch-oci";
import { MEDIA_TYPES } from "./manifest";
import type { RegistryLocation } from "./registry-hosts";
import { type SigningKey, verifyWithKey } from "./signing-keys";

export const COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
export const COSIGN_CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
export const COSIGN_SIGNATURE_TYPE = "cosign container image signature";
/** Simple-signing payloads are a few hundred bytes; anything past this is not one. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
/** A `.sig` manifest may hold many signatures; Ladder checks this many at most. */
const MAX_LAYERS = 8;

/** `sha256:abc…` → `sha256-abc….sig`. */
export function cosignSignatureTag(digest: string): string {
  return `${digest.replace(":", "-")}.sig`;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function caseInsensitive(record: unknown, key: string): unknown {
  if (!record || typeof record !== "object") return undefined;
  const hit = Object.entries(record).find(([k]) => k.toLowerCase() === key);
  return hit?.[1];
}

/**
 * Checks one simple-signing payload and its signature against `digest` and the keys. Pure, never
 * throws: every malformed part is a `problem`.
 */
export function checkSimpleSigning(
  payload: Buffer,
  signatureBase64: string | undefined,
  digest: string,
  keys: readonly SigningKey[],
  certificate?: string,
): Pick<SignatureCheck, "verifiedBy" | "problem"> {
  if (!signatureBase64) return { verifiedBy: [], problem: `no ${COSIGN_SIGNATURE_ANNOTATION} annotation` };
  if (!BASE64.test(signatureBase64.trim())) return { verifiedBy: [], problem: "the signature annotation is not base64" };
  const signature = Buffer.from(signatureBase64.trim(), "base64");
  const verifiedBy = keys.filter((k) => k.key && verifyWithKey(k.key, payload, signature)).map((k) => k.name);
  if (verifiedBy.length === 0) {
    const usable = keys.filter((k) => k.key).map((k) => k.name);
    const keyless = certificate ? " (it carries a Fulcio certificate: a keyless signature, which Ladder does not verify)" : "";
    return {
      verifiedBy,
      problem: usable.length
        ? `the signature does not verify with ${usable.length === 1 ? "key" : "any of the keys"} ${usable.join(", ")}${keyless}`
        : "no configured key could be loaded to verify it",
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch {
    return { verifiedBy: [], problem: "the signed payload is not JSON" };
  }
  const critical = caseInsensitive(json, "critical");
  const type = caseInsensitive(critical, "type");
  if (typeof type !== "string" || type.toLowerCase() !== COSIGN_SIGNATURE_TYPE)
    return {
      verifiedBy: [],
      problem: `the signed payload's type is ${JSON.stringify(type ?? null)}, not "${COSIGN_SIGNATURE_TYPE}"`,
    };
  const named = caseInsensitive(caseInsensitive(critical, "image"), "docker-manifest-digest");
  if (named !== digest)
    return {
      verifiedBy: [],
      problem: `signed by ${verifiedBy.join(", ")}, but for ${typeof named === "string" ? named : "no digest"}, not ${digest}`,
    };
  return { verifiedBy };
}

export type Lookup =
  | { kind: "none"; checked: string }
  | { kind: "found"; checks: SignatureCheck[] }
  | Exclude<Fetched<unknown>, { kind: "ok" | "not-found" | "mismatch" | "malformed" }>;

/** The cosign signatures of `asked.digest`, each checked. */
export async function readCosignSignatures(
  ctx: FetchContext,
  loc: RegistryLocation,
  asked: AskedFor,
  keys: readonly SigningKey[],
): Promise<Lookup> {
  const tag = cosignSignatureTag(asked.digest);
  const where = `${asked.repository}:${tag}`;
  const read = await fetchManifest(ctx, loc, tag, [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
  if (read.kind === "not-found") return { kind: "none", checked: where };
  if (read.kind === "budget" || read.kind === "unreachable") return read;
  if (read.kind !== "ok")
    return {
      kind: "found",
      checks: [{ kind: "cosign", where, verifiedBy: [], problem: read.kind === "malformed" ? read.reason : "unreadable" }],
    };
  const manifest = read.value.manifest;
  if (manifest.kind !== "manifest")
    return {
      kind: "found",
      checks: [{ kind: "cosign", where, verifiedBy: [], problem: "the .sig tag is an index, not a signature manifest" }],
    };
  const layers = manifest.layers.filter((l) => l.mediaType === MEDIA_TYPES.cosignSimpleSigning).slice(0, MAX_LAYERS);
  if (layers.length === 0)
    return {
      kind: "found",
      checks: [{ kind: "cosign", where, verifiedBy: [], problem: "the .sig manifest holds no simple-signing payload" }],
    };
  const checks: SignatureCheck[] = [];
  for (const [i, layer] of layers.entries()) {
    const at = `${where} (layer ${i + 1})`;
    const blob = await fetchBlob(ctx, loc, layer.digest, MAX_PAYLOAD_BYTES);
    if (blob.kind === "budget" || blob.kind === "unreachable") return blob;
    if (blob.kind !== "ok") {
      const problem =
        blob.kind === "mismatch"
          ? `the payload blob hashes to ${blob.got}, not ${layer.digest}`
          : blob.kind === "not-found"
            ? "the payload blob is missing"
            : blob.reason;
      checks.push({ kind: "cosign", where: at, verifiedBy: [], problem });
      continue;
    }
    const result = checkSimpleSigning(
      blob.value,
      layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION],
      asked.digest,
      keys,
      layer.annotations?.[COSIGN_CERTIFICATE_ANNOTATION],
    );
    checks.push({ kind: "cosign", where: at, ...result });
  }
  return { kind: "found", checks };
}
