/**
 * A digest's evidence from its registry: is it there, what is it (an image or an index, which
 * platforms), when was it built and from which commit (the config's `created` and OCI labels;
 * for an index, those of its linux/amd64 image, else its first).
 */
import type { AskedFor, ImageEvidence, ImageFound } from "./evidence-types";
import { type FetchContext, type Fetched, fetchBlob, fetchManifest } from "./fetch-oci";
import { indexPlatforms, isImageConfig, MAX_CONFIG_BYTES, parseImageConfig, representativeChild } from "./manifest";
import type { RegistryLocation } from "./registry-hosts";
import { OCI_CREATED, sourceInfo } from "./source-link";

function budgetSkip(): ImageEvidence {
  return { state: "skipped", reason: "budget", detail: "the registry request budget of this view is spent" };
}

/** A failed read → evidence; `what` names the thing read ("manifest", "config blob"). */
function failure(asked: AskedFor, f: Exclude<Fetched<unknown>, { kind: "ok" }>, what: string): ImageEvidence {
  switch (f.kind) {
    case "not-found":
      return { ...asked, state: "not-found" };
    case "budget":
      return budgetSkip();
    case "unreachable":
      return { ...asked, state: "unreachable", cause: f.cause, reason: f.reason };
    case "mismatch":
      return { ...asked, state: "mismatch", what, got: f.got };
    case "malformed":
      return { ...asked, state: "unreachable", cause: "bad-response", reason: `${asked.registry}: ${f.reason}` };
  }
}

/** Why a partial read is partial, in words. */
function partial(f: Exclude<Fetched<unknown>, { kind: "ok" }>, what: string): string {
  switch (f.kind) {
    case "not-found":
      return `its ${what} is missing from the registry`;
    case "budget":
      return `its ${what} was not read: the request budget of this view is spent`;
    case "unreachable":
      return `its ${what} could not be read: ${f.reason}`;
    case "mismatch":
      return `its ${what}'s bytes hash to ${f.got}, not the digest the manifest names`;
    case "malformed":
      return `its ${what} is unreadable: ${f.reason}`;
  }
}

export async function readImageEvidence(ctx: FetchContext, loc: RegistryLocation, asked: AskedFor): Promise<ImageEvidence> {
  const top = await fetchManifest(ctx, loc, asked.digest);
  if (top.kind !== "ok") return failure(asked, top, "manifest");
  const { manifest } = top.value;
  const found: ImageFound = {
    ...asked,
    state: "found",
    mediaType: manifest.mediaType,
    kind: manifest.kind,
    platforms: manifest.kind === "index" ? indexPlatforms(manifest.manifests) : [],
    created: manifest.annotations[OCI_CREATED] ?? null,
    labels: {},
    source: null,
  };
  let image = manifest;
  let annotations = { ...manifest.annotations };
  if (manifest.kind === "index") {
    const child = representativeChild(manifest.manifests);
    if (!child) return finish(found, annotations, {});
    const read = await fetchManifest(ctx, loc, child.digest);
    if (read.kind !== "ok") return { ...finish(found, annotations, {}), incomplete: partial(read, "platform image") };
    image = read.value.manifest;
    annotations = { ...image.annotations, ...annotations };
  }
  if (image.kind !== "manifest" || !image.config || !isImageConfig(image.config.mediaType ?? "")) {
    // An OCI artifact (a Helm chart, an SBOM) has a config of its own kind: nothing to read there.
    return finish(found, annotations, {});
  }
  const blob = await fetchBlob(ctx, loc, image.config.digest, MAX_CONFIG_BYTES);
  if (blob.kind !== "ok") return { ...finish(found, annotations, {}), incomplete: partial(blob, "config") };
  const config = parseImageConfig(blob.value);
  if (typeof config === "string") return { ...finish(found, annotations, {}), incomplete: config };
  if (found.platforms.length === 0 && config.platform) found.platforms = [config.platform];
  found.created = config.created ?? found.created;
  return finish(found, annotations, config.labels);
}

function finish(found: ImageFound, annotations: Record<string, string>, labels: Record<string, string>): ImageFound {
  const merged = { ...labels, ...annotations };
  return { ...found, labels: merged, source: sourceInfo(merged), created: found.created ?? merged[OCI_CREATED] ?? null };
}
