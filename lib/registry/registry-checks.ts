/**
 * The registry's part of promotion policy, as checks shaped like lib/promotion/policy.ts's
 * `PolicyCheck` (id, label, pass/fail/warn, a reason a person can act on). Pure. With
 * `requireInRegistry` or `requireSignature` an environment fails closed: a registry Ladder could
 * not read, a view whose budget ran out or evidence that is off all refuse, naming what was checked.
 * Without them the evidence is information: a missing digest or a bad signature warns, and
 * nothing is said when evidence is off.
 */
import { shortDigest } from "../gitops/image-ref";
import type { ImageEvidence, RegistryEvidence, SignatureEvidence } from "./evidence-types";
import type { SigningKey } from "./signing-keys";

export type RegistryCheckId = "in-registry" | "signature";

export interface RegistryCheck {
  id: RegistryCheckId;
  label: string;
  status: "pass" | "fail" | "warn";
  reason: string;
}

/** What an environment asks of the registry (lib/gitops/ladder-config.ts `EnvironmentPolicy` has these fields). */
export interface RegistryPolicy {
  name: string;
  requireInRegistry?: boolean;
  /** The name of a `signing.keys` entry. */
  requireSignature?: string;
}

const LABELS: Record<RegistryCheckId, string> = { "in-registry": "In the registry", signature: "Signature" };

function check(id: RegistryCheckId, status: RegistryCheck["status"], reason: string): RegistryCheck {
  return { id, label: LABELS[id], status, reason };
}

function imageCheck(image: ImageEvidence | undefined, digest: string, policy: RegistryPolicy): RegistryCheck | undefined {
  const required = policy.requireInRegistry ?? false;
  const env = policy.name;
  const needs = `${env} requires the digest to be in its registry (requireInRegistry)`;
  const miss = (reason: string) => (required ? check("in-registry", "fail", `${reason}; ${needs}`) : undefined);
  if (!image) return miss(`registry evidence was not gathered for ${digest}`);
  switch (image.state) {
    case "found": {
      const created = image.created ? `, created ${image.created}` : "";
      const commit = image.source?.revision ? `, built from ${image.source.revision.slice(0, 12)}` : "";
      const note = image.incomplete ? ` (${image.incomplete})` : "";
      return check(
        "in-registry",
        "pass",
        `${image.repository}@${shortDigest(image.digest)} is in the registry${created}${commit}${note}`,
      );
    }
    case "not-found": {
      const reason = `${image.repository} has no manifest ${shortDigest(image.digest)}: a runtime could not pull it`;
      return required ? check("in-registry", "fail", `${reason}; ${needs}`) : check("in-registry", "warn", reason);
    }
    case "mismatch": {
      const reason = `${image.registry} answered ${image.repository}@${shortDigest(image.digest)} with a ${image.what} whose bytes hash to ${shortDigest(image.got)}: not the artifact asked for`;
      return check("in-registry", required || policy.requireSignature ? "fail" : "warn", reason);
    }
    case "unreachable": {
      const reason = `cannot tell whether ${image.repository}@${shortDigest(image.digest)} is in the registry: ${image.reason}`;
      return required ? check("in-registry", "fail", `${reason}; ${needs}`) : check("in-registry", "warn", reason);
    }
    case "skipped":
      return miss(`${shortDigest(digest)} was not looked up: ${image.detail}`);
  }
}

function signatureCheck(
  signature: SignatureEvidence | undefined,
  digest: string,
  policy: RegistryPolicy,
  keys: readonly SigningKey[],
): RegistryCheck | undefined {
  const wanted = policy.requireSignature;
  const short = shortDigest(digest);
  if (!wanted) {
    if (signature?.state === "signed") return check("signature", "pass", `${short} is signed by ${signature.keys.join(", ")}`);
    if (signature?.state === "invalid") return check("signature", "warn", `${short} has no valid signature: ${signature.reason}`);
    return undefined;
  }
  const needs = `${policy.name} requires a signature by ${wanted} (requireSignature)`;
  const fail = (reason: string) => check("signature", "fail", `${reason}; ${needs}`);
  const key = keys.find((k) => k.name === wanted);
  if (!key) return fail(`no signing key named ${wanted} is defined in ladder.yaml's signing.keys`);
  if (!key.key) return fail(`key ${wanted} cannot be loaded: ${key.problem ?? "unusable"}`);
  if (!signature) return fail(`the signatures of ${short} were not checked`);
  switch (signature.state) {
    case "signed": {
      if (signature.keys.includes(wanted)) {
        const how = signature.signatures.find((s) => s.verifiedBy.includes(wanted) && !s.problem);
        return check(
          "signature",
          "pass",
          `${short} is signed by ${wanted}${how ? ` (${how.kind === "cosign" ? "cosign" : "Sigstore bundle"}: ${how.where})` : ""}`,
        );
      }
      return fail(`${short} is signed by ${signature.keys.join(", ")}, not by ${wanted}`);
    }
    case "unsigned":
      return fail(`${short} is not signed: checked ${signature.checked.join("; ")}`);
    case "invalid":
      return fail(`${short} has no valid signature: ${signature.reason}`);
    case "unreachable":
      return fail(`cannot check the signatures of ${short}: ${signature.reason}`);
    case "skipped":
      return fail(`the signatures of ${short} were not checked: ${signature.detail}`);
    case "no-keys":
      return fail("no signing keys are configured");
  }
}

/**
 * The registry checks of promoting `digest` into `policy`'s environment, in the order the dialog
 * shows them. `evidence` undefined: nothing was gathered (no reader), which fails any requirement.
 */
export function registryChecks(
  evidence: RegistryEvidence | undefined,
  digest: string,
  policy: RegistryPolicy,
  keys: readonly SigningKey[] = [],
): RegistryCheck[] {
  return [imageCheck(evidence?.image, digest, policy), signatureCheck(evidence?.signature, digest, policy, keys)].filter(
    (c): c is RegistryCheck => c !== undefined,
  );
}
