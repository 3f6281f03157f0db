/**
 * The registry tests' world: Debian's CNCF Distribution registry started on 127.0.0.1 with its
 * own storage (local-registry/distribution.ts), one OCI layout to build images in, and helpers
 * that build, push and sign in one call. Without `docker-registry` and `skopeo` the suite FAILS,
 * saying how to install them: a registry test that skips would pass CI having checked nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseRegistryHosts } from "../../lib/registry/registry-hosts";
import { RegistryReader, type RegistryReaderOptions } from "../../lib/registry/registry-reader";
import type { TestKey } from "../../local-registry/cosign-signer";
import { INSTALL_HINT, type LocalRegistry, missingRegistryTools, startLocalRegistry } from "../../local-registry/distribution";
import { type ImageSpec, OciLayout, strip, type Written } from "../../local-registry/oci-layout";

/** Throws, naming the install command, when the registry or skopeo is missing. */
export function requireRegistryTools(): void {
  const missing = missingRegistryTools();
  if (missing.length > 0)
    throw new Error(
      `The registry tests need ${missing.join(" and ")}, which ${missing.length === 1 ? "is" : "are"} not installed: ${INSTALL_HINT}`,
    );
}

export interface RegistryWorld {
  registry: LocalRegistry;
  layout: OciLayout;
  /** Pushes a manifest of the layout to `<name>:<tag>`. */
  push(written: Written, name: string, tag: string): Promise<void>;
  /** Builds and pushes one image; returns it (its `digest`, its `body`). */
  pushImage(name: string, tag: string, spec: ImageSpec): Promise<Written>;
  /** Builds and pushes a two-platform index (linux/amd64 and linux/arm64, each with `spec`'s labels). */
  pushIndex(name: string, tag: string, spec: ImageSpec): Promise<Written>;
  /** Pushes cosign's `.sig` manifest for `digest`, one layer per signer. */
  sign(name: string, digest: string, signers: { key: TestKey; payloadDigest?: string; signature?: string }[]): Promise<Written>;
  /** Attaches Sigstore bundles to `subject` by the referrers tag schema (what Distribution 2.8 supports). */
  attachBundles(name: string, subject: Written, bundles: unknown[]): Promise<Written[]>;
  /** A reader of this registry only (plain HTTP), with `options` on top. */
  reader(options?: Partial<RegistryReaderOptions> & { hostsList?: string }): RegistryReader;
  close(): Promise<void>;
}

export async function startRegistryWorld(): Promise<RegistryWorld> {
  requireRegistryTools();
  const dir = mkdtempSync(path.join(tmpdir(), "ladder-registry-"));
  const registry = await startLocalRegistry(path.join(dir, "registry"));
  const layout = new OciLayout(path.join(dir, "layout"));
  let n = 0;
  const push = async (written: Written, name: string, tag: string) => {
    const ref = `ref-${++n}`;
    layout.ref(strip(written), ref);
    await registry.push(layout.dir, ref, name, tag);
  };
  const world: RegistryWorld = {
    registry,
    layout,
    push,
    async pushImage(name, tag, spec) {
      const image = layout.image(spec);
      await push(image, name, tag);
      return image;
    },
    async pushIndex(name, tag, spec) {
      const amd64 = layout.image({ ...spec, content: `${spec.content} amd64`, architecture: "amd64" });
      const arm64 = layout.image({ ...spec, content: `${spec.content} arm64`, architecture: "arm64" });
      const index = layout.index([
        { image: amd64, os: "linux", architecture: "amd64" },
        { image: arm64, os: "linux", architecture: "arm64", variant: "v8" },
      ]);
      await push(index, name, tag);
      return index;
    },
    async sign(name, digest, signers) {
      const sig = layout.signatures(`${registry.host}/${name}`, digest, signers);
      await push(sig, name, `${digest.replace(":", "-")}.sig`);
      return sig;
    },
    async attachBundles(name, subject, bundles) {
      const referrers = bundles.map((b) => layout.bundleReferrer(subject, b));
      for (const [i, r] of referrers.entries()) await push(r, name, `bundle-${subject.digest.slice(7, 19)}-${i}`);
      const index = layout.referrersIndex(referrers);
      await world.registry.putManifest(name, subject.digest.replace(":", "-"), index.body, index.mediaType);
      return referrers;
    },
    reader(options = {}) {
      const hosts = parseRegistryHosts(options.hostsList ?? `http://${registry.host}`);
      if (!hosts) throw new Error(`bad hosts list ${options.hostsList}`);
      return new RegistryReader({ hosts, timeoutMs: 2000, ...options });
    },
    async close() {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
