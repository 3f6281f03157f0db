/**
 * OCI image layouts on disk (opencontainers/image-spec image-layout.md), built byte by byte so
 * every digest is known before anything is pushed: a tiny layer tar, an image config with
 * `created` and labels, image manifests, image indexes, cosign `.sig` manifests and Sigstore
 * bundle referrers. `skopeo copy oci:<dir>:<ref> docker://…` then pushes them unchanged.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { COSIGN_SIGNATURE_ANNOTATION, signBytes, simpleSigningPayload, type TestKey } from "./cosign-signer";

export const MT = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
  empty: "application/vnd.oci.empty.v1+json",
  simpleSigning: "application/vnd.dev.cosign.simplesigning.v1+json",
  bundle: "application/vnd.dev.sigstore.bundle.v0.3+json",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

/** A manifest written to the layout: its descriptor and its exact bytes. */
export interface Written extends Descriptor {
  body: Buffer;
}

export interface ImageSpec {
  /** Written into the layer, so different specs make different digests. */
  content: string;
  created?: string;
  labels?: Record<string, string>;
  os?: string;
  architecture?: string;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A POSIX ustar archive holding one file. */
export function tarOf(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  const data = Buffer.from(content);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(body);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

export class OciLayout {
  private readonly refs: { descriptor: Descriptor; ref: string }[] = [];

  constructor(readonly dir: string) {
    mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  }

  blob(bytes: Buffer, mediaType: string): Written {
    const digest = sha256(bytes);
    writeFileSync(path.join(this.dir, "blobs", "sha256", digest.slice("sha256:".length)), bytes);
    return { mediaType, digest, size: bytes.length, body: bytes };
  }

  json(value: unknown, mediaType: string): Written {
    return this.blob(Buffer.from(JSON.stringify(value)), mediaType);
  }

  /** One image: a layer, a config with created and labels, a manifest. */
  image(spec: ImageSpec): Written {
    const blobs = imageBlobs(spec);
    this.blob(blobs.layer, MT.layer);
    this.blob(blobs.config, MT.config);
    return this.blob(blobs.manifest, MT.manifest);
  }

  /** An index over images, one per platform. */
  index(images: { image: Written; os: string; architecture: string; variant?: string }[]): Written {
    return this.json(
      {
        schemaVersion: 2,
        mediaType: MT.index,
        manifests: images.map((i) => ({
          ...strip(i.image),
          platform: { os: i.os, architecture: i.architecture, ...(i.variant ? { variant: i.variant } : {}) },
        })),
      },
      MT.index,
    );
  }

  /**
   * cosign's signature manifest for `digest` (SIGNATURE_SPEC.md): one simple-signing layer per
   * signer, its signature in the layer's annotation. `payloadFor` lets a test sign a payload that
   * names another digest; `signature` overrides the annotation (a malformed one).
   */
  signatures(
    repository: string,
    digest: string,
    signers: { key: TestKey; payloadDigest?: string; signature?: string }[],
  ): Written {
    const layers = signers.map((s) => {
      const payload = simpleSigningPayload(repository, s.payloadDigest ?? digest);
      const blob = this.blob(payload, MT.simpleSigning);
      const signature = s.signature ?? signBytes(s.key, payload).toString("base64");
      return { ...strip(blob), annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature } };
    });
    const config = this.json(
      { architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } },
      MT.config,
    );
    return this.json({ schemaVersion: 2, mediaType: MT.manifest, config: strip(config), layers }, MT.manifest);
  }

  /** A Sigstore bundle attached to `subject` as an OCI 1.1 referrer (BUNDLE_SPEC.md). */
  bundleReferrer(subject: Descriptor, bundle: unknown): Written {
    const layer = this.json(bundle, MT.bundle);
    const empty = this.blob(Buffer.from("{}"), MT.empty);
    return this.json(
      {
        schemaVersion: 2,
        mediaType: MT.manifest,
        artifactType: MT.bundle,
        config: strip(empty),
        layers: [strip(layer)],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      },
      MT.manifest,
    );
  }

  /** The referrers tag schema's index, listing `referrers` (tagged `sha256-<hex>` when pushed). */
  referrersIndex(referrers: Written[]): Written {
    return this.json(
      {
        schemaVersion: 2,
        mediaType: MT.index,
        manifests: referrers.map((r) => ({ ...strip(r), artifactType: MT.bundle })),
      },
      MT.index,
    );
  }

  /** Names a manifest in index.json, for `skopeo copy oci:<dir>:<ref>`. */
  ref(descriptor: Descriptor, ref: string): void {
    this.refs.push({ descriptor, ref });
    writeFileSync(
      path.join(this.dir, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.index,
        manifests: this.refs.map((r) => ({
          ...strip(r.descriptor),
          annotations: { "org.opencontainers.image.ref.name": r.ref },
        })),
      }),
    );
  }
}

/** The bytes of one image (its layer, config and manifest), the same every time for the same spec. */
export function imageBlobs(spec: ImageSpec): { layer: Buffer; config: Buffer; manifest: Buffer; digest: string } {
  const layer = tarOf("content.txt", spec.content);
  const layerDigest = sha256(layer);
  const config = Buffer.from(
    JSON.stringify({
      created: spec.created ?? "2026-01-01T00:00:00Z",
      architecture: spec.architecture ?? "amd64",
      os: spec.os ?? "linux",
      config: { Labels: spec.labels ?? {} },
      rootfs: { type: "layers", diff_ids: [layerDigest] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.manifest,
      config: { mediaType: MT.config, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MT.layer, digest: layerDigest, size: layer.length }],
    }),
  );
  return { layer, config, manifest, digest: sha256(manifest) };
}

/** A descriptor without the bytes. */
export function strip(w: Descriptor & { body?: Buffer }): Descriptor {
  const { body: _body, ...descriptor } = w;
  return descriptor;
}
