import { describe, expect, it } from "vitest";
import type { ImageEvidence, RegistryEvidence, SignatureEvidence } from "@/lib/registry/evidence-types";
import { cellBadge, imageStatus, signatureStatus } from "./evidence-view";

const digest = `sha256:${"ab".repeat(32)}`;
const asked = { registry: "ghcr.io", repository: "ghcr.io/acme/api", digest };
const found: ImageEvidence = {
  ...asked,
  state: "found",
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  kind: "manifest",
  platforms: ["linux/amd64"],
  created: "2026-01-04T00:00:00Z",
  labels: {},
  source: null,
};
const signed: SignatureEvidence = {
  ...asked,
  state: "signed",
  keys: ["release"],
  signatures: [{ kind: "cosign", where: "ghcr.io/acme/api:sha256-abab.sig (layer 1)", verifiedBy: ["release"] }],
};
const unsigned: SignatureEvidence = { ...asked, state: "unsigned", checked: ["ghcr.io/acme/api:sha256-abab.sig"] };
const keyless: SignatureEvidence = {
  ...asked,
  state: "invalid",
  reason: "no signature verifies",
  signatures: [
    { kind: "sigstore-bundle", where: "sha256:cd", verifiedBy: [], problem: "a keyless bundle (Fulcio certificate): …" },
  ],
};
const off: ImageEvidence = { state: "skipped", reason: "disabled", detail: "registry evidence is off: set LADDER_REGISTRIES" };
const ev = (image: ImageEvidence, signature: SignatureEvidence): RegistryEvidence => ({ image, signature });

describe("registry evidence in the UI's words", () => {
  it("labels the image: found, not found in red, unreachable, off", () => {
    expect(imageStatus(found)).toEqual({
      tone: "green",
      label: "found",
      detail: "ghcr.io/acme/api@sha256:abababababab, an image",
    });
    expect(imageStatus({ ...asked, state: "not-found" })).toMatchObject({ tone: "red", label: "not found" });
    expect(
      imageStatus({ ...asked, state: "unreachable", cause: "timeout", reason: "ghcr.io did not answer within 5 s" }),
    ).toEqual({
      tone: "amber",
      label: "unreachable",
      detail: "ghcr.io did not answer within 5 s",
    });
    expect(imageStatus(off)).toMatchObject({ tone: "gray", label: "off" });
    expect(imageStatus({ state: "skipped", reason: "budget", detail: "budget spent" })).toMatchObject({ label: "not checked" });
  });

  it("labels the signature: signed by a key, unsigned, invalid, keyless not verified", () => {
    expect(signatureStatus(signed)).toEqual({
      tone: "green",
      label: "signed by release",
      detail: "cosign: ghcr.io/acme/api:sha256-abab.sig (layer 1)",
    });
    expect(signatureStatus(unsigned)).toMatchObject({
      tone: "amber",
      label: "unsigned",
      detail: "checked ghcr.io/acme/api:sha256-abab.sig",
    });
    expect(signatureStatus({ ...asked, state: "invalid", reason: "another key", signatures: [] })).toMatchObject({
      tone: "red",
      label: "invalid",
      detail: "another key",
    });
    expect(signatureStatus(keyless)).toMatchObject({ tone: "gray", label: "keyless, not verified" });
  });

  it("gives a cell one badge: not in registry first, then the signature; none when off or nothing to say", () => {
    expect(cellBadge(ev(found, signed))).toMatchObject({ tone: "green", label: "signed" });
    expect(cellBadge(ev(found, unsigned))).toMatchObject({ tone: "amber", label: "unsigned" });
    expect(cellBadge(ev({ ...asked, state: "not-found" }, unsigned))).toMatchObject({ tone: "red", label: "not in registry" });
    expect(cellBadge(ev(found, signed))?.title).toBe("in ghcr.io, created 2026-01-04T00:00:00Z; signed by release");
    expect(cellBadge(ev(off, off))).toBeUndefined();
    expect(cellBadge(ev(found, { state: "no-keys" }))).toBeUndefined();
  });
});
