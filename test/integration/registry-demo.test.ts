/**
 * The demo's registry (cmd/demo/registry.ts): started on 127.0.0.1 holding the sample images,
 * Ladder reading ghcr.io/acme/* from it shows signed, unsigned and missing digests, and a
 * signature required in prod refuses the unsigned one, naming why. A second start keeps the key
 * and the images.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_KEY_NAME, DEMO_KEY_VARIABLE, type DemoRegistry, startDemoRegistry } from "../../cmd/demo/registry";
import { MISSING_BUILD, sampleImageDigest, UNSIGNED_BUILD } from "../../cmd/demo/sample-images";
import { registryChecks } from "../../lib/registry/registry-checks";
import { parseRegistryHosts, parseRegistryMirrors } from "../../lib/registry/registry-hosts";
import { RegistryReader } from "../../lib/registry/registry-reader";
import { loadSigningKeys } from "../../lib/registry/signing-keys";
import { requireRegistryTools } from "../support/registry";

const dir = mkdtempSync(path.join(tmpdir(), "ladder-demo-registry-"));
let demo: DemoRegistry | undefined;

afterAll(async () => {
  if (demo?.state === "on") await demo.stop();
  rmSync(dir, { recursive: true, force: true });
});

function readerFor(env: Record<string, string>) {
  const hosts = parseRegistryHosts(env.LADDER_REGISTRIES);
  if (!hosts) throw new Error("bad LADDER_REGISTRIES");
  return new RegistryReader({ hosts, mirrors: parseRegistryMirrors(env.LADDER_REGISTRY_MIRRORS), timeoutMs: 2000 });
}

describe("the demo registry", () => {
  it("holds the sample images: signed, one unsigned, one missing", async () => {
    requireRegistryTools();
    demo = await startDemoRegistry(dir);
    expect(demo.state).toBe("on");
    if (demo.state !== "on") return;
    expect(demo.env.LADDER_REGISTRIES).toBe("ghcr.io");
    const keys = loadSigningKeys([{ name: DEMO_KEY_NAME, publicKeyEnv: DEMO_KEY_VARIABLE }], (n) => demo?.env[n]);
    const reader = readerFor(demo.env);
    const evidence = async (app: string, build: number) =>
      reader.evidence(`ghcr.io/acme/${app}`, sampleImageDigest(app, build), { budget: reader.budget(), keys });

    const api = await evidence("api", 3);
    expect(api.image).toMatchObject({
      state: "found",
      registry: "ghcr.io",
      source: { revision: expect.stringMatching(/^[0-9a-f]{40}$/), version: "1.3.0" },
    });
    expect(api.signature).toMatchObject({ state: "signed", keys: [DEMO_KEY_NAME] });

    const gateway = await evidence(UNSIGNED_BUILD.app, UNSIGNED_BUILD.build);
    expect(gateway.image.state).toBe("found");
    expect(gateway.signature.state).toBe("unsigned");
    const prod = { name: "prod", requireSignature: DEMO_KEY_NAME };
    const refusal = registryChecks(gateway, sampleImageDigest("gateway", 2), prod, keys).find((c) => c.id === "signature");
    expect(refusal).toMatchObject({
      status: "fail",
      reason: expect.stringMatching(/is not signed: checked ghcr\.io\/acme\/gateway:sha256-/),
    });

    const worker = await evidence(MISSING_BUILD.app, MISSING_BUILD.build);
    expect(worker.image.state).toBe("not-found");
  });

  it("starts again on the same storage with the same key", async () => {
    if (demo?.state !== "on") throw new Error("the first test did not start the demo registry");
    const first = demo.env[DEMO_KEY_VARIABLE];
    await demo.stop();
    demo = await startDemoRegistry(dir);
    expect(demo.state === "on" && demo.env[DEMO_KEY_VARIABLE]).toBe(first);
  });
});
