/**
 * Real images for the demo's sample repository: for each (app, build) one tiny OCI image whose
 * bytes, and so whose digest, are the same on every machine and every run (a fixed layer, a fixed
 * `created`, the OCI source/revision/version labels of acme/<app>). `sampleImageDigest` is what the
 * sample repository would pin for the demo registry's evidence to find it (see cmd/demo/registry.ts).
 */
import { createHash } from "node:crypto";
import { type ImageSpec, imageBlobs } from "../../local-registry/oci-layout";

/** The commit of acme/<app> a build is labelled with: 40 hex, deterministic. */
export function sampleRevision(app: string, build: number): string {
  return createHash("sha1").update(`ladder-demo/${app}/${build}/commit`).digest("hex");
}

/** The ladder.yaml key name the sample's images are signed with, and the variable the demo passes its public key in. */
export const DEMO_KEY_NAME = "demo-release";
export const DEMO_KEY_VARIABLE = "LADDER_SIGNING_KEY_DEMO";

/** payments' chart versions its image 2.x; every other sample app 1.x (as sample-repo.ts tags them). */
export function sampleVersion(app: string, build: number): string {
  return `${app === "payments" ? 2 : 1}.${build}.0`;
}

export function sampleImageSpec(app: string, build: number): ImageSpec {
  return {
    content: `ladder-demo/${app}/${build}\n`,
    created: new Date(Date.UTC(2026, 0, 1 + build)).toISOString().replace(".000Z", "Z"),
    labels: {
      "org.opencontainers.image.source": `https://github.com/acme/${app}`,
      "org.opencontainers.image.revision": sampleRevision(app, build),
      "org.opencontainers.image.version": sampleVersion(app, build),
    },
  };
}

/** The digest of the sample image of (app, build): sha256 of its manifest's bytes. */
export function sampleImageDigest(app: string, build: number): string {
  return imageBlobs(sampleImageSpec(app, build)).digest;
}

/** Every (app, build) the sample repository pins by digest (worker 1.8.0-rc1 is tag-only). */
export const SAMPLE_BUILDS: readonly { app: string; build: number }[] = [
  { app: "api", build: 1 },
  { app: "api", build: 2 },
  { app: "api", build: 3 },
  { app: "web", build: 3 },
  { app: "web", build: 4 },
  { app: "worker", build: 7 },
  { app: "payments", build: 4 },
  { app: "payments", build: 5 },
  { app: "gateway", build: 1 },
  { app: "gateway", build: 2 },
];

/**
 * What the demo registry shows a newcomer: every build signed, except one left unsigned (gateway
 * 1.2.0, waiting in staging for prod) and one never pushed (worker 1.7.0, which staging and prod
 * run: "not found").
 */
export const UNSIGNED_BUILD = { app: "gateway", build: 2 } as const;
export const MISSING_BUILD = { app: "worker", build: 7 } as const;
