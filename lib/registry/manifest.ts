/**
 * Reading OCI and Docker manifests, image indexes and image configs: just the fields evidence
 * needs, each body checked against the digest it was asked by (a digest names bytes, so bytes
 * that hash to something else are not the artifact, whatever the registry says).
 */
import { createHash } from "node:crypto";
import { z } from "zod";

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  cosignSimpleSigning: "application/vnd.dev.cosign.simplesigning.v1+json",
  ociEmpty: "application/vnd.oci.empty.v1+json",
} as const;

/** What Ladder accepts when it asks for a manifest by digest. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
] as const;

/** Manifests up to 4 MiB, as the distribution registry itself allows. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

const stringRecord = z.record(z.string(), z.string());

export const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().optional(),
  artifactType: z.string().optional(),
  annotations: stringRecord.optional(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

const manifestSchema = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema.optional(),
  layers: z.array(descriptorSchema).optional(),
  manifests: z.array(descriptorSchema).optional(),
  subject: descriptorSchema.optional(),
  annotations: stringRecord.optional(),
});

export type ParsedManifest =
  | { kind: "index"; mediaType: string; manifests: Descriptor[]; annotations: Record<string, string> }
  | {
      kind: "manifest";
      mediaType: string;
      artifactType: string | undefined;
      config: Descriptor | undefined;
      layers: Descriptor[];
      subject: Descriptor | undefined;
      annotations: Record<string, string>;
    };

/** `sha256:…` of `bytes`, with the algorithm `like` names (sha256, sha384 or sha512). */
export function digestOf(bytes: Uint8Array, like = "sha256:"): string {
  const algorithm = like.slice(0, like.indexOf(":"));
  const known = algorithm === "sha384" || algorithm === "sha512" ? algorithm : "sha256";
  return `${known}:${createHash(known).update(bytes).digest("hex")}`;
}

/** A manifest or index body → its kind and fields; a string says why it is not one. */
export function parseManifest(body: Buffer, contentType: string | null): ParsedManifest | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return "the manifest is not JSON";
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) return `the manifest is malformed (${parsed.error.issues[0]?.path.join(".") || "root"})`;
  const m = parsed.data;
  const mediaType = m.mediaType ?? contentType?.split(";")[0]?.trim() ?? "";
  const annotations = m.annotations ?? {};
  if (m.manifests !== undefined || mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList)
    return { kind: "index", mediaType: mediaType || MEDIA_TYPES.ociIndex, manifests: m.manifests ?? [], annotations };
  if (m.schemaVersion === 1) return "a Docker schema 1 manifest (deprecated; Ladder reads schema 2 and OCI)";
  return {
    kind: "manifest",
    mediaType: mediaType || MEDIA_TYPES.ociManifest,
    artifactType: m.artifactType,
    config: m.config,
    layers: m.layers ?? [],
    subject: m.subject,
    annotations,
  };
}

/** `linux/arm64/v8`; buildx's attestation entries (`unknown/unknown`) are not platforms. */
export function platformName(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

export function indexPlatforms(manifests: readonly Descriptor[]): string[] {
  return manifests
    .filter((d) => d.platform && d.platform.os !== "unknown" && d.platform.architecture !== "unknown")
    .map((d) => platformName(d.platform as NonNullable<Descriptor["platform"]>));
}

/** The index entry whose config Ladder reads labels from: linux/amd64 when there is one, else the first platform. */
export function representativeChild(manifests: readonly Descriptor[]): Descriptor | undefined {
  const real = manifests.filter((d) => !d.platform || (d.platform.os !== "unknown" && d.platform.architecture !== "unknown"));
  return real.find((d) => d.platform?.os === "linux" && d.platform.architecture === "amd64") ?? real[0];
}

const configSchema = z.object({
  created: z.string().optional(),
  os: z.string().optional(),
  architecture: z.string().optional(),
  variant: z.string().optional(),
  config: z
    .object({ Labels: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
});

export interface ImageConfig {
  created: string | null;
  platform: string | null;
  labels: Record<string, string>;
}

export function parseImageConfig(body: Buffer): ImageConfig | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return "the image config is not JSON";
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) return "the image config is malformed";
  const c = parsed.data;
  return {
    created: c.created ?? null,
    platform: c.os && c.architecture ? platformName({ os: c.os, architecture: c.architecture, variant: c.variant }) : null,
    labels: c.config?.Labels ?? {},
  };
}

export function isImageConfig(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociConfig || mediaType === MEDIA_TYPES.dockerConfig;
}
