/**
 * Registry evidence in a promotion, end to end: a promotion world (Postgres, the strict GitHub
 * stand-in) whose repository pins real images of a real registry (Debian's Distribution, read as
 * ghcr.io through a mirror). requireSignature refuses an unsigned digest naming the key and lets a
 * signed one through, whose PR body then carries a Registry section; requireInRegistry refuses a
 * digest the registry does not have; a registry that hangs costs the preview its timeout, no more,
 * and the preview says unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, PromotionContext } from "../../lib/promotion/context";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { parseRegistryMirrors } from "../../lib/registry/registry-hosts";
import { ecdsaKey } from "../../local-registry/cosign-signer";
import { type FaultProxy, startFaultProxy } from "../../local-registry/fault-proxy";
import { commit, overlay, overlayPath, startWorld, type World } from "../support/promotion-world";
import { type RegistryWorld, requireRegistryTools, startRegistryWorld } from "../support/registry";

const alice: Actor = { login: "alice" };
const release = ecdsaKey();
const REVISION = "0123456789abcdef0123456789abcdef01234567";

let world: World;
let registry: RegistryWorld;
let proxy: FaultProxy;
/** The dev digests: api signed by release, web unsigned, worker never pushed. */
const digests: Record<string, string> = {};

function ladderYaml(): string {
  const pem = release.publicPem
    .trim()
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n");
  return [
    "version: 1",
    "environments:",
    "  - dev",
    "  - name: staging",
    "    requireSignature: release",
    "  - name: prod",
    "    requireInRegistry: true",
    "signing:",
    "  keys:",
    "    - name: release",
    "      publicKey: |",
    pem,
    "apps:",
    "  - path: apps/{app}/overlays/{env}",
    "",
  ].join("\n");
}

/** A context of the world reading ghcr.io from `url` (the registry itself, or the fault proxy). */
function contextReading(url: string, timeoutMs = 2000): PromotionContext {
  return {
    ...world.ctx,
    registry: registry.reader({ hostsList: "ghcr.io", mirrors: parseRegistryMirrors(`ghcr.io=${url}`), timeoutMs }),
  };
}

beforeAll(async () => {
  requireRegistryTools();
  registry = await startRegistryWorld();
  const image = (app: string) => ({
    content: `${app} 1.3.0`,
    created: "2026-01-04T00:00:00Z",
    labels: {
      "org.opencontainers.image.source": `https://github.com/acme/${app}`,
      "org.opencontainers.image.revision": REVISION,
      "org.opencontainers.image.version": "1.3.0",
    },
  });
  const api = await registry.pushImage("acme/api", "1.3.0", image("api"));
  await registry.sign("acme/api", api.digest, [{ key: release }]);
  const web = await registry.pushImage("acme/web", "1.3.0", image("web"));
  digests.api = api.digest;
  digests.web = web.digest;
  // Built, never pushed: the registry has no such manifest.
  digests.worker = registry.layout.image(image("worker")).digest;
  world = await startWorld({ apps: ["api", "web", "worker"] });
  const files: Record<string, string> = { "ladder.yaml": ladderYaml() };
  for (const app of ["api", "web", "worker"])
    files[overlayPath(app, "dev")] = overlay(app, "dev", { digest: digests[app] ?? "", tag: "1.3.0" });
  // worker's missing digest also waits in staging, for prod (which requires it to be in the registry).
  files[overlayPath("worker", "staging")] = overlay("worker", "staging", { digest: digests.worker ?? "", tag: "1.3.0" });
  await commit(world, files, "Pin the registry's images");
  proxy = await startFaultProxy(registry.registry.url);
});

afterAll(async () => {
  await proxy?.close();
  await world?.stop();
  await registry?.close();
});

describe("registry evidence in a promotion", () => {
  it("refuses an unsigned digest where a signature is required, naming the key and what was checked", async () => {
    const preview = await previewPromotion(contextReading(registry.registry.url), { app: "web", toEnv: "staging" }, alice);
    expect(preview.allowed).toBe(false);
    expect(preview.token).toBeNull();
    const signature = preview.checks.find((c) => c.id === "signature");
    expect(signature).toMatchObject({ status: "fail", label: "Signature" });
    expect(signature?.reason).toMatch(/is not signed: checked ghcr\.io\/acme\/web:sha256-[0-9a-f]{64}\.sig/);
    expect(signature?.reason).toContain("staging requires a signature by release (requireSignature)");
    expect(preview.registry).toMatchObject({ image: { state: "found", registry: "ghcr.io" }, signature: { state: "unsigned" } });
  });

  it("lets a signed digest through, and its PR body carries the Registry section", async () => {
    const ctx = contextReading(registry.registry.url);
    const preview = await previewPromotion(ctx, { app: "api", toEnv: "staging" }, alice);
    expect(preview.checks.find((c) => c.id === "signature")).toMatchObject({ status: "pass" });
    expect(preview.checks.find((c) => c.id === "signature")?.reason).toContain("is signed by release");
    expect(preview.allowed, JSON.stringify(preview.checks)).toBe(true);
    const result = await requestPromotion(ctx, { token: preview.token ?? "", actor: alice });
    if (!result.ok) throw new Error(result.message);
    const pr = world.server.control.pullRequests().find((p) => p.head.startsWith("ladder/api/staging/"));
    const body = pr?.body ?? "";
    expect(body).toContain("### Registry");
    expect(body).toContain(`- **Registry**: \`ghcr.io/acme/api@${digests.api}\`: found, an image (linux/amd64)`);
    expect(body).toContain("- **Created**: `2026-01-04T00:00:00Z`");
    expect(body).toContain(
      `- **Source commit**: [github.com/acme/api@${REVISION.slice(0, 12)}](https://github.com/acme/api/commit/${REVISION})`,
    );
    expect(body).toContain("- **Version**: `1.3.0`");
    expect(body).toContain("- **Signature**: signed by `release` (cosign)");
    expect(body.indexOf("### Evidence")).toBeLessThan(body.indexOf("### Registry"));
    expect(body.indexOf("### Registry")).toBeLessThan(body.indexOf("### Diff"));
  });

  it("refuses a digest the registry does not have where requireInRegistry is set", async () => {
    const preview = await previewPromotion(contextReading(registry.registry.url), { app: "worker", toEnv: "prod" }, alice);
    expect(preview.allowed).toBe(false);
    const inRegistry = preview.checks.find((c) => c.id === "in-registry");
    expect(inRegistry).toMatchObject({ status: "fail", label: "In the registry" });
    expect(inRegistry?.reason).toContain(`ghcr.io/acme/worker has no manifest`);
    expect(inRegistry?.reason).toContain("prod requires the digest to be in its registry (requireInRegistry)");
    expect(preview.registry?.image.state).toBe("not-found");
  });

  it("does not wait on a registry that hangs past its timeout: the preview completes and says unreachable", async () => {
    proxy.fault = { kind: "delay", ms: 30_000 };
    try {
      const started = Date.now();
      const preview = await previewPromotion(contextReading(proxy.url, 500), { app: "api", toEnv: "staging" }, alice);
      const took = Date.now() - started;
      expect(preview.registry?.image).toMatchObject({ state: "unreachable", cause: "timeout" });
      // One timed-out request and the cool-down for the rest, with room for Git and the database.
      expect(took).toBeLessThan(5000);
      // Fails closed: the signature cannot be checked.
      expect(preview.checks.find((c) => c.id === "signature")).toMatchObject({ status: "fail" });
      expect(preview.allowed).toBe(false);
    } finally {
      proxy.fault = { kind: "none" };
    }
  });
});
