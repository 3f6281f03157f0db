import { describe, expect, it } from "vitest";
import { ecdsaKey } from "../../local-registry/cosign-signer";
import type { ImageEvidence, RegistryEvidence, SignatureEvidence } from "./evidence-types";
import { type RegistryPolicy, registryChecks } from "./registry-checks";
import { registryEvidenceMarkdown, registryEvidenceSummary } from "./registry-evidence-text";
import { loadSigningKeys } from "./signing-keys";

const digest = `sha256:${"ab".repeat(32)}`;
const asked = { registry: "ghcr.io", repository: "ghcr.io/acme/api", digest };
const found: ImageEvidence = {
  ...asked,
  state: "found",
  mediaType: "application/vnd.oci.image.index.v1+json",
  kind: "index",
  platforms: ["linux/amd64", "linux/arm64"],
  created: "2026-01-02T03:04:05Z",
  labels: {},
  source: {
    url: "https://github.com/acme/api",
    revision: "0123456789abcdef0123456789abcdef01234567",
    version: "1.4.2",
    repositoryUrl: "https://github.com/acme/api",
    commitUrl: "https://github.com/acme/api/commit/0123456789abcdef0123456789abcdef01234567",
  },
};
const signed: SignatureEvidence = {
  ...asked,
  state: "signed",
  keys: ["release"],
  signatures: [{ kind: "cosign", where: "ghcr.io/acme/api:sha256-ab….sig (layer 1)", verifiedBy: ["release"] }],
};
const unsigned: SignatureEvidence = { ...asked, state: "unsigned", checked: ["ghcr.io/acme/api:sha256-ab….sig", "referrers"] };
const keys = loadSigningKeys([{ name: "release", publicKey: ecdsaKey().publicPem }], () => undefined);
const prod: RegistryPolicy = { name: "prod", requireInRegistry: true, requireSignature: "release" };
const statuses = (e: RegistryEvidence | undefined, policy: RegistryPolicy = prod) =>
  registryChecks(e, digest, policy, keys).map((c) => [c.id, c.status]);

describe("registryChecks", () => {
  it("passes a found, signed digest, saying what was checked", () => {
    const checks = registryChecks({ image: found, signature: signed }, digest, prod, keys);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["in-registry", "pass"],
      ["signature", "pass"],
    ]);
    expect(checks[0]?.reason).toBe(
      "ghcr.io/acme/api@sha256:abababababab is in the registry, created 2026-01-02T03:04:05Z, built from 0123456789ab",
    );
    expect(checks[1]?.reason).toMatch(/signed by release \(cosign: /);
  });

  it("refuses unsigned, wrongly signed, invalid, unreachable and unchecked digests when a signature is required", () => {
    const refusal = (signature: SignatureEvidence) => registryChecks({ image: found, signature }, digest, prod, keys)[1];
    expect(refusal(unsigned)).toMatchObject({
      status: "fail",
      reason:
        "sha256:abababababab is not signed: checked ghcr.io/acme/api:sha256-ab….sig; referrers; prod requires a signature by release (requireSignature)",
    });
    expect(refusal({ ...signed, keys: ["ci"] })?.reason).toMatch(/signed by ci, not by release/);
    expect(refusal({ ...asked, state: "invalid", reason: "bad", signatures: [] })?.status).toBe("fail");
    expect(
      refusal({ ...asked, state: "unreachable", cause: "timeout", reason: "ghcr.io did not answer within 5 s" })?.reason,
    ).toMatch(/cannot check the signatures of sha256:abababababab: ghcr.io did not answer/);
    expect(refusal({ state: "skipped", reason: "budget", detail: "budget spent" })?.status).toBe("fail");
    expect(statuses(undefined)).toEqual([
      ["in-registry", "fail"],
      ["signature", "fail"],
    ]);
  });

  it("refuses a required key that is not defined or cannot be loaded", () => {
    const unloaded = loadSigningKeys([{ name: "release", publicKeyEnv: "LADDER_SIGNING_KEY_RELEASE" }], () => undefined);
    expect(registryChecks({ image: found, signature: signed }, digest, prod, unloaded)[1]?.reason).toMatch(
      /key release cannot be loaded: LADDER_SIGNING_KEY_RELEASE is not set/,
    );
    expect(registryChecks({ image: found, signature: signed }, digest, prod, [])[1]?.reason).toMatch(
      /no signing key named release/,
    );
  });

  it("refuses a missing, mismatched or unconfirmed digest with requireInRegistry, and warns without it", () => {
    const missing: RegistryEvidence = { image: { ...asked, state: "not-found" }, signature: unsigned };
    expect(statuses(missing, { name: "prod", requireInRegistry: true })).toEqual([["in-registry", "fail"]]);
    expect(statuses(missing, { name: "staging" })).toEqual([["in-registry", "warn"]]);
    const mismatch: RegistryEvidence = {
      image: { ...asked, state: "mismatch", what: "manifest", got: `sha256:${"00".repeat(32)}` },
      signature: { state: "no-keys" },
    };
    expect(statuses(mismatch, { name: "staging" })).toEqual([["in-registry", "warn"]]);
    expect(statuses(mismatch, { name: "prod", requireInRegistry: true })).toEqual([["in-registry", "fail"]]);
    const off: RegistryEvidence = {
      image: { state: "skipped", reason: "disabled", detail: "registry evidence is off" },
      signature: { state: "skipped", reason: "disabled", detail: "registry evidence is off" },
    };
    expect(statuses(off, { name: "staging" })).toEqual([]);
    expect(registryChecks(off, digest, { name: "prod", requireInRegistry: true })[0]?.reason).toBe(
      "sha256:abababababab was not looked up: registry evidence is off; prod requires the digest to be in its registry (requireInRegistry)",
    );
  });

  it("shows a signature as information where none is required", () => {
    expect(statuses({ image: found, signature: signed }, { name: "staging" })).toEqual([
      ["in-registry", "pass"],
      ["signature", "pass"],
    ]);
    expect(statuses({ image: found, signature: unsigned }, { name: "staging" })).toEqual([["in-registry", "pass"]]);
  });
});

describe("registry evidence in words", () => {
  it("writes the PR body's lines: registry, created, source commit linked, signature key", () => {
    expect(registryEvidenceMarkdown({ image: found, signature: signed })).toEqual([
      `- **Registry**: \`ghcr.io/acme/api@${digest}\`: found, an image index (linux/amd64, linux/arm64)`,
      "- **Created**: `2026-01-02T03:04:05Z`",
      "- **Source commit**: [github.com/acme/api@0123456789ab](https://github.com/acme/api/commit/0123456789abcdef0123456789abcdef01234567)",
      "- **Version**: `1.4.2`",
      "- **Signature**: signed by `release` (cosign)",
    ]);
    expect(registryEvidenceSummary({ image: found, signature: signed })).toBe(
      "in ghcr.io, created 2026-01-02T03:04:05Z; signed by release",
    );
  });

  it("keeps label text from breaking out of its code span or link", () => {
    const sneaky: ImageEvidence = {
      ...found,
      source: { url: "x", revision: "`](javascript:x)", version: "``1``", repositoryUrl: null, commitUrl: null },
    };
    const lines = registryEvidenceMarkdown({ image: sneaky, signature: { state: "no-keys" } });
    expect(lines).toContain("- **Source commit**: `` `](javascrip ``");
    expect(lines).toContain("- **Version**: ``` ``1`` ```");
  });
});
