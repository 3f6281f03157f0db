/**
 * A manifest (by digest or tag) or a blob (by digest), read through RegistryHttp and checked:
 * a body asked for by digest must hash to that digest, or it is a mismatch, never content.
 */
import { digestOf, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, type ParsedManifest, parseManifest } from "./manifest";
import type { RegistryLocation } from "./registry-hosts";
import type { RegistryHttp, UnreachableCause } from "./registry-http";
import type { RequestBudget } from "./request-budget";

export type Fetched<T> =
  | { kind: "ok"; value: T }
  | { kind: "not-found" }
  | { kind: "unreachable"; cause: UnreachableCause; reason: string }
  | { kind: "budget" }
  | { kind: "mismatch"; got: string }
  | { kind: "malformed"; reason: string };

export interface FetchedManifest {
  /** The digest of the bytes read (for a digest reference, the one asked for). */
  digest: string;
  body: Buffer;
  manifest: ParsedManifest;
}

const DIGEST_REFERENCE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

export interface FetchContext {
  http: RegistryHttp;
  budget: RequestBudget;
  signal?: AbortSignal;
}

export async function fetchManifest(
  ctx: FetchContext,
  loc: RegistryLocation,
  reference: string,
  accept: readonly string[] = MANIFEST_ACCEPT,
): Promise<Fetched<FetchedManifest>> {
  const res = await ctx.http.get(loc, `manifests/${reference}`, {
    accept,
    budget: ctx.budget,
    maxBytes: MAX_MANIFEST_BYTES,
    signal: ctx.signal,
  });
  if (res.kind !== "ok") return res;
  const byDigest = DIGEST_REFERENCE.test(reference);
  const digest = digestOf(res.body, byDigest ? reference : "sha256:");
  if (byDigest && digest !== reference) return { kind: "mismatch", got: digest };
  const manifest = parseManifest(res.body, res.contentType);
  if (typeof manifest === "string") return { kind: "malformed", reason: manifest };
  return { kind: "ok", value: { digest, body: res.body, manifest } };
}

export async function fetchBlob(
  ctx: FetchContext,
  loc: RegistryLocation,
  digest: string,
  maxBytes: number,
): Promise<Fetched<Buffer>> {
  if (!DIGEST_REFERENCE.test(digest)) return { kind: "malformed", reason: `'${digest}' is not a digest` };
  const res = await ctx.http.get(loc, `blobs/${digest}`, { budget: ctx.budget, maxBytes, signal: ctx.signal });
  if (res.kind !== "ok") return res;
  const got = digestOf(res.body, digest);
  return got === digest ? { kind: "ok", value: res.body } : { kind: "mismatch", got };
}
