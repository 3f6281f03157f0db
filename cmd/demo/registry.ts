/**
 * The demo's registry: where Debian's `docker-registry` and `skopeo` are installed, `npm run demo`
 * starts the CNCF Distribution registry on 127.0.0.1 (local-registry/distribution.ts) holding the
 * sample repository's images (cmd/demo/sample-images.ts), signed with the demo's own cosign-format
 * key, except one left unsigned and one never pushed, so a newcomer sees all three states. Ladder
 * reads `ghcr.io/acme/*` from it through LADDER_REGISTRY_MIRRORS and verifies with the key in
 * LADDER_SIGNING_KEY_DEMO. Without the two packages the demo starts as before, with registry
 * evidence off and a line saying how to turn it on.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestKey } from "../../local-registry/cosign-signer";
import { INSTALL_HINT, type LocalRegistry, missingRegistryTools, startLocalRegistry } from "../../local-registry/distribution";
import { OciLayout, strip } from "../../local-registry/oci-layout";
import { DEMO_KEY_VARIABLE, MISSING_BUILD, SAMPLE_BUILDS, sampleImageSpec, sampleVersion, UNSIGNED_BUILD } from "./sample-images";

export { DEMO_KEY_NAME, DEMO_KEY_VARIABLE } from "./sample-images";

export type DemoRegistry =
  | {
      state: "on";
      registry: LocalRegistry;
      /** For Ladder's environment: where to read ghcr.io/acme from, and the key to verify with. */
      env: Record<string, string>;
      /** Digests pushed, signed and left unsigned, and the one not pushed. */
      images: { app: string; build: number; digest: string; signed: boolean; pushed: boolean }[];
      stop(): Promise<void>;
    }
  | { state: "off"; reason: string; env: Record<string, string> };

/** The demo's signing key, made once and kept under the demo directory (a private key only the demo uses). */
async function demoKey(dir: string): Promise<TestKey> {
  const file = path.join(dir, "demo-signing-key.pem");
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await writeFile(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  const privateKey = createPrivateKey(await readFile(file, "utf8"));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export async function startDemoRegistry(demoDir: string, options: { port?: number } = {}): Promise<DemoRegistry> {
  const missing = missingRegistryTools();
  if (missing.length > 0)
    return {
      state: "off",
      reason: `registry evidence is off: ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed (${INSTALL_HINT}, then run the demo again)`,
      env: { LADDER_REGISTRIES: "off" },
    };
  const dir = path.join(demoDir, "registry");
  await mkdir(dir, { recursive: true });
  const key = await demoKey(dir);
  const registry = await startLocalRegistry(dir, options);
  // The layout is rebuilt each run (the bytes are the same); the registry's storage is kept.
  const layoutDir = path.join(dir, "layout");
  await rm(layoutDir, { recursive: true, force: true });
  const layout = new OciLayout(layoutDir);
  const images: Extract<DemoRegistry, { state: "on" }>["images"] = [];
  try {
    let n = 0;
    for (const { app, build } of SAMPLE_BUILDS) {
      const pushed = !(app === MISSING_BUILD.app && build === MISSING_BUILD.build);
      const signed = pushed && !(app === UNSIGNED_BUILD.app && build === UNSIGNED_BUILD.build);
      const image = layout.image(sampleImageSpec(app, build));
      images.push({ app, build, digest: image.digest, signed, pushed });
      if (!pushed) continue;
      const ref = `ref-${++n}`;
      layout.ref(strip(image), ref);
      await registry.push(layout.dir, ref, `acme/${app}`, sampleVersion(app, build));
      if (!signed) continue;
      const signature = layout.signatures(`ghcr.io/acme/${app}`, image.digest, [{ key }]);
      const sigRef = `ref-${++n}`;
      layout.ref(strip(signature), sigRef);
      await registry.push(layout.dir, sigRef, `acme/${app}`, `${image.digest.replace(":", "-")}.sig`);
    }
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return {
    state: "on",
    registry,
    images,
    env: {
      // Only ghcr.io, read from the local registry: nothing goes off the machine.
      LADDER_REGISTRIES: "ghcr.io",
      LADDER_REGISTRY_MIRRORS: `ghcr.io=${registry.url}`,
      [DEMO_KEY_VARIABLE]: key.publicPem,
    },
    stop: () => registry.stop(),
  };
}
