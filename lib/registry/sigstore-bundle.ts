/**
 * Sigstore bundles attached to an image as OCI referrers (sigstore/cosign specs/BUNDLE_SPEC.md):
 * listed by the referrers API (`GET /v2/<name>/referrers/<digest>`), or, where a registry does not
 * have it (a 404), by the referrers tag schema (the index tagged `sha256-<hex>`). Each bundle
 * manifest's one layer is the bundle JSON; it is parsed and validated by `@sigstore/bundle` and its
 * signature checked by `@sigstore/verify` against the configured public keys.
 *
 * Only keyed bundles are verified. A keyless bundle (a Fulcio certificate) needs Sigstore's trust
 * root (Fulcio's CA, Rekor's and the CT log's keys, fetched and kept fresh over TUF), which this
 * offline verifier does not have, so such a bundle is reported as not verified, saying why. For the
 * same reason transparency-log entries and timestamps in a keyed bundle are not checked: the key
 * is what is trusted.
 */
import { bundleFromJSON } from "@sigstore/bundle";
import { type SignedEntity, type TrustMaterial, toSignedEntity, Verifier } from "@sigstore/verify";
import type { Lookup } from "./cosign";
import type { AskedFor, SignatureCheck } from "./evidence-types";
import { type FetchContext, fetchBlob, fetchManifest } from "./fetch-oci";
import { type Descriptor, MEDIA_TYPES, parseManifest } from "./manifest";
import type { RegistryLocation } from "./registry-hosts";
import type { SigningKey } from "./signing-keys";

export const SIGSTORE_BUNDLE_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.\d+\+json|\+json;version=0\.\d+)$/;
const MAX_BUNDLE_BYTES = 1024 * 1024;
/** Referrers checked at most; the rest of a long list (attestations, SBOMs) is not Ladder's to read. */
const MAX_BUNDLES = 5;
const IN_TOTO = "application/vnd.in-toto+json";

/** `sha256:abc…` → `sha256-abc…`, the referrers tag schema's tag. */
export function referrersTag(digest: string): string {
  return digest.replace(":", "-");
}

function trustMaterial(key: NonNullable<SigningKey["key"]>): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey: key, validFor: () => true }),
  };
}

/** An in-toto statement's subjects include `digest` (`sha256:…` as `{ sha256: "…" }`). */
function statementNames(payload: Buffer, digest: string): boolean {
  const [algorithm, hex] = digest.split(":");
  try {
    const statement = JSON.parse(payload.toString("utf8")) as { subject?: { digest?: Record<string, string> }[] };
    return (statement.subject ?? []).some((s) => algorithm !== undefined && s.digest?.[algorithm]?.toLowerCase() === hex);
  } catch {
    return false;
  }
}

/**
 * Checks one bundle (its JSON) against `digest` and the keys. `manifest` is the image manifest's
 * bytes, the artifact a message-signature bundle signs; undefined when it has not been read.
 * Pure, never throws.
 */
export function checkBundle(
  json: unknown,
  digest: string,
  keys: readonly SigningKey[],
  manifest: Buffer | undefined,
): Pick<SignatureCheck, "verifiedBy" | "problem"> {
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return { verifiedBy: [], problem: `not a valid Sigstore bundle (${(error as Error).message})` };
  }
  if (bundle.verificationMaterial.content.$case !== "publicKey")
    return {
      verifiedBy: [],
      problem: "a keyless bundle (Fulcio certificate): Ladder verifies keyed bundles only, having no Sigstore trust root offline",
    };
  let entity: SignedEntity;
  if (bundle.content.$case === "dsseEnvelope") {
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO || !statementNames(Buffer.from(envelope.payload), digest))
      return { verifiedBy: [], problem: `the bundle's statement does not name ${digest} as its subject` };
    entity = toSignedEntity(bundle);
  } else {
    const md = bundle.content.messageSignature.messageDigest;
    const hex = digest.split(":")[1] ?? "";
    if (!md || Buffer.from(md.digest).toString("hex") !== hex)
      return { verifiedBy: [], problem: `the bundle signs another artifact than ${digest}` };
    if (!manifest) return { verifiedBy: [], problem: "the image manifest could not be read to check the signature over it" };
    entity = toSignedEntity(bundle, manifest);
  }
  // Without Sigstore's trust root, transparency-log entries and timestamps cannot be checked: the key alone is trusted.
  const keyedOnly: SignedEntity = { ...entity, tlogEntries: [], timestamps: [] };
  const usable = keys.filter((k) => k.key);
  const verifiedBy = usable
    .filter((k) => {
      try {
        new Verifier(trustMaterial(k.key as NonNullable<SigningKey["key"]>), {
          tlogThreshold: 0,
          ctlogThreshold: 0,
          timestampThreshold: 0,
        }).verify(keyedOnly);
        return true;
      } catch {
        return false;
      }
    })
    .map((k) => k.name);
  if (verifiedBy.length > 0) return { verifiedBy };
  return {
    verifiedBy,
    problem: usable.length
      ? `the bundle's signature does not verify with ${usable.length === 1 ? "key" : "any of the keys"} ${usable.map((k) => k.name).join(", ")}`
      : "no configured key could be loaded to verify it",
  };
}

/** The referrers of a digest: the API's answer, else the tag schema's index; `checked` says where Ladder looked. */
async function listReferrers(
  ctx: FetchContext,
  loc: RegistryLocation,
  asked: AskedFor,
): Promise<{ kind: "list"; entries: Descriptor[]; where: string } | Lookup> {
  const api = `${asked.repository} referrers of ${asked.digest}`;
  const res = await ctx.http.get(loc, `referrers/${asked.digest}`, {
    accept: [MEDIA_TYPES.ociIndex],
    budget: ctx.budget,
    maxBytes: 4 * 1024 * 1024,
    signal: ctx.signal,
  });
  if (res.kind === "budget" || res.kind === "unreachable") return res;
  if (res.kind === "ok") {
    const index = parseManifest(res.body, res.contentType);
    if (typeof index !== "string" && index.kind === "index") return { kind: "list", entries: index.manifests, where: api };
    return { kind: "none", checked: `${api} (an unreadable answer)` };
  }
  // 404: no referrers API here; the tag schema is the fallback.
  const tag = referrersTag(asked.digest);
  const where = `${asked.repository}:${tag}`;
  const fallback = await fetchManifest(ctx, loc, tag, [MEDIA_TYPES.ociIndex]);
  if (fallback.kind === "not-found") return { kind: "none", checked: where };
  if (fallback.kind === "budget" || fallback.kind === "unreachable") return fallback;
  if (fallback.kind !== "ok" || fallback.value.manifest.kind !== "index")
    return { kind: "none", checked: `${where} (not an index)` };
  return { kind: "list", entries: fallback.value.manifest.manifests, where };
}

export async function readBundleSignatures(
  ctx: FetchContext,
  loc: RegistryLocation,
  asked: AskedFor,
  keys: readonly SigningKey[],
): Promise<Lookup> {
  const listed = await listReferrers(ctx, loc, asked);
  if (listed.kind !== "list") return listed;
  const bundles = listed.entries.filter((d) => SIGSTORE_BUNDLE_TYPE.test(d.artifactType ?? "")).slice(0, MAX_BUNDLES);
  if (bundles.length === 0) return { kind: "none", checked: `${listed.where} (no Sigstore bundle)` };
  const checks: SignatureCheck[] = [];
  let imageManifest: Buffer | undefined;
  for (const entry of bundles) {
    const where = `${asked.repository}@${entry.digest} (Sigstore bundle)`;
    const fail = (problem: string) => checks.push({ kind: "sigstore-bundle", where, verifiedBy: [], problem });
    const read = await fetchManifest(ctx, loc, entry.digest, [MEDIA_TYPES.ociManifest]);
    if (read.kind === "budget" || read.kind === "unreachable") return read;
    if (read.kind !== "ok" || read.value.manifest.kind !== "manifest") {
      fail(read.kind === "mismatch" ? `the referrer's bytes hash to ${read.got}` : "the referrer manifest is unreadable");
      continue;
    }
    const m = read.value.manifest;
    if (m.subject && m.subject.digest !== asked.digest) {
      fail(`the referrer's subject is ${m.subject.digest}, not ${asked.digest}`);
      continue;
    }
    const layer = m.layers.find((l) => SIGSTORE_BUNDLE_TYPE.test(l.mediaType ?? ""));
    if (!layer) {
      fail("the referrer holds no bundle layer");
      continue;
    }
    const blob = await fetchBlob(ctx, loc, layer.digest, MAX_BUNDLE_BYTES);
    if (blob.kind === "budget" || blob.kind === "unreachable") return blob;
    if (blob.kind !== "ok") {
      fail(
        blob.kind === "mismatch" ? `the bundle blob hashes to ${blob.got}, not ${layer.digest}` : "the bundle blob is missing",
      );
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(blob.value.toString("utf8"));
    } catch {
      fail("the bundle is not JSON");
      continue;
    }
    if ((json as { messageSignature?: unknown }).messageSignature && !imageManifest) {
      const image = await fetchManifest(ctx, loc, asked.digest);
      if (image.kind === "budget" || image.kind === "unreachable") return image;
      if (image.kind === "ok") imageManifest = image.value.body;
    }
    checks.push({ kind: "sigstore-bundle", where, ...checkBundle(json, asked.digest, keys, imageManifest) });
  }
  return { kind: "found", checks };
}
