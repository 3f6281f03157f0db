/**
 * Signatures read from a real registry: cosign `.sig` manifests (ECDSA P-256 and Ed25519 keys,
 * a wrong key, a payload for another digest, a malformed annotation), keyed Sigstore bundles by
 * the referrers tag schema (the plain registry, which has no referrers API) and by the referrers
 * API (the fault proxy answering it), and the policy checks made of that evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryChecks } from "../../lib/registry/registry-checks";
import { registryEvidenceMarkdown } from "../../lib/registry/registry-evidence-text";
import { loadSigningKeys } from "../../lib/registry/signing-keys";
import { dsseBundle, ecdsaKey, ed25519Key, inTotoStatement } from "../../local-registry/cosign-signer";
import { type FaultProxy, startFaultProxy } from "../../local-registry/fault-proxy";
import type { Written } from "../../local-registry/oci-layout";
import { type RegistryWorld, startRegistryWorld } from "../support/registry";

const release = ecdsaKey();
const edge = ed25519Key();
const stranger = ecdsaKey();
const keys = loadSigningKeys(
  [
    { name: "release", publicKey: release.publicPem },
    { name: "edge", publicKey: edge.publicPem },
  ],
  () => undefined,
);

let world: RegistryWorld;
let proxy: FaultProxy;
const images: Record<string, Written> = {};
let repo: string;

beforeAll(async () => {
  world = await startRegistryWorld();
  repo = `${world.registry.host}/acme/api`;
  for (const name of ["signed", "edge", "unsigned", "stranger", "replayed", "malformed", "bundled", "bundle-stranger", "both"])
    images[name] = await world.pushImage("acme/api", name, {
      content: name,
      labels: { "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567" },
    });
  const d = (name: string) => images[name]?.digest ?? "";
  await world.sign("acme/api", d("signed"), [{ key: release }]);
  await world.sign("acme/api", d("edge"), [{ key: edge }]);
  await world.sign("acme/api", d("stranger"), [{ key: stranger }]);
  await world.sign("acme/api", d("replayed"), [{ key: release, payloadDigest: d("signed") }]);
  await world.sign("acme/api", d("malformed"), [{ key: release, signature: "not base64!" }]);
  await world.sign("acme/api", d("both"), [{ key: stranger }, { key: release }]);
  const bundled = images.bundled as Written;
  await world.attachBundles("acme/api", bundled, [dsseBundle(release, inTotoStatement(repo, bundled.digest))]);
  const other = images["bundle-stranger"] as Written;
  await world.attachBundles("acme/api", other, [dsseBundle(stranger, inTotoStatement(repo, other.digest))]);
  proxy = await startFaultProxy(world.registry.url, { referrersApi: true });
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

async function signatureOf(name: string) {
  const reader = world.reader();
  return reader.signature(repo, images[name]?.digest ?? "", keys, { budget: reader.budget() });
}

describe("cosign signatures", () => {
  it("are signed by the key that verifies them, ECDSA or Ed25519", async () => {
    expect(await signatureOf("signed")).toMatchObject({ state: "signed", keys: ["release"] });
    expect(await signatureOf("edge")).toMatchObject({ state: "signed", keys: ["edge"] });
    // One good signature among others is enough; the others are listed with why they do not count.
    const both = await signatureOf("both");
    expect(both).toMatchObject({ state: "signed", keys: ["release"] });
    expect(both.state === "signed" && both.signatures.map((s) => s.problem ?? "ok")).toEqual([
      "the signature does not verify with any of the keys release, edge",
      "ok",
    ]);
  });

  it("say unsigned, naming where they looked, when there is none", async () => {
    const d = images.unsigned?.digest ?? "";
    expect(await signatureOf("unsigned")).toEqual({
      state: "unsigned",
      registry: world.registry.host,
      repository: repo,
      digest: d,
      checked: [`${repo}:${d.replace(":", "-")}.sig`, `${repo}:${d.replace(":", "-")}`],
    });
  });

  it("are invalid when signed by another key, for another digest, or malformed", async () => {
    expect(await signatureOf("stranger")).toMatchObject({
      state: "invalid",
      reason: expect.stringMatching(/does not verify with any of the keys release, edge/),
    });
    expect(await signatureOf("replayed")).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining(`signed by release, but for ${images.signed?.digest}, not ${images.replayed?.digest}`),
    });
    expect(await signatureOf("malformed")).toMatchObject({
      state: "invalid",
      reason: expect.stringMatching(/the signature annotation is not base64/),
    });
  });
});

describe("Sigstore bundles", () => {
  it("verify by the referrers tag schema where the registry has no referrers API", async () => {
    expect(await signatureOf("bundled")).toMatchObject({
      state: "signed",
      keys: ["release"],
      signatures: [{ kind: "sigstore-bundle", verifiedBy: ["release"] }],
    });
    expect(await signatureOf("bundle-stranger")).toMatchObject({ state: "invalid" });
  });

  it("verify through the referrers API where the registry has one", async () => {
    const reader = world.reader({ hostsList: `http://${proxy.host}` });
    const digest = images.bundled?.digest ?? "";
    proxy.requests.length = 0;
    expect(await reader.signature(`${proxy.host}/acme/api`, digest, keys, { budget: reader.budget() })).toMatchObject({
      state: "signed",
      keys: ["release"],
    });
    expect(proxy.requests.map((r) => r.path)).toContain(`/v2/acme/api/referrers/${digest}`);
    expect(proxy.requests.map((r) => r.path)).not.toContain(`/v2/acme/api/manifests/${digest.replace(":", "-")}`);
  });
});

describe("policy and the PR body from real evidence", () => {
  const prod = { name: "prod", requireInRegistry: true, requireSignature: "release" };

  it("refuses the unsigned digest into an environment that requires a signature, with the reason", async () => {
    const reader = world.reader();
    const digest = images.unsigned?.digest ?? "";
    const evidence = await reader.evidence(repo, digest, { budget: reader.budget(), keys });
    const checks = registryChecks(evidence, digest, prod, keys);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["in-registry", "pass"],
      ["signature", "fail"],
    ]);
    expect(checks[1]?.reason).toMatch(
      /is not signed: checked .*\.sig; .*; prod requires a signature by release \(requireSignature\)$/,
    );
  });

  it("passes the signed one, and its PR body names registry, created, source commit and key", async () => {
    const reader = world.reader();
    const digest = images.signed?.digest ?? "";
    const evidence = await reader.evidence(repo, digest, { budget: reader.budget(), keys });
    expect(registryChecks(evidence, digest, prod, keys).every((c) => c.status === "pass")).toBe(true);
    expect(registryEvidenceMarkdown(evidence)).toEqual([
      `- **Registry**: \`${repo}@${digest}\`: found, an image (linux/amd64)`,
      "- **Created**: `2026-01-01T00:00:00Z`",
      "- **Source commit**: `0123456789ab`",
      "- **Signature**: signed by `release` (cosign)",
    ]);
  });

  it("refuses a digest that is not in the registry, naming it", async () => {
    const reader = world.reader();
    const digest = `sha256:${"2".repeat(64)}`;
    const evidence = await reader.evidence(repo, digest, { budget: reader.budget(), keys });
    const checks = registryChecks(evidence, digest, prod, keys);
    expect(checks.map((c) => c.status)).toEqual(["fail", "fail"]);
    expect(checks[0]?.reason).toMatch(/has no manifest sha256:222222222222: a runtime could not pull it; prod requires/);
  });
});
