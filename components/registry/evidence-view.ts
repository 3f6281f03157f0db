/**
 * Registry evidence as the UI words it: a tone and a short label for the image and for its
 * signature (the Promote dialog's Registry section, the bundle dialog's one line) and the one
 * badge a matrix cell shows. Pure, so every state's words are tested in one place; imports only
 * types and pure text from lib/registry, so client components can use it.
 */
import { shortDigest } from "@/lib/gitops/image-ref";
import type { ImageEvidence, RegistryEvidence, SignatureEvidence } from "@/lib/registry/evidence-types";
import { registryEvidenceSummary } from "@/lib/registry/registry-evidence-text";
import type { BadgeTone } from "../ui/badge";

export interface EvidenceStatus {
  tone: BadgeTone;
  label: string;
  /** The sentence beside the label. */
  detail: string;
}

export function imageStatus(image: ImageEvidence): EvidenceStatus {
  switch (image.state) {
    case "found": {
      const what = image.kind === "index" ? "an image index" : "an image";
      return { tone: "green", label: "found", detail: `${image.repository}@${shortDigest(image.digest)}, ${what}` };
    }
    case "not-found":
      return {
        tone: "red",
        label: "not found",
        detail: `${image.repository} has no manifest ${shortDigest(image.digest)}: a runtime could not pull it`,
      };
    case "mismatch":
      return {
        tone: "red",
        label: "mismatch",
        detail: `${image.registry} served a ${image.what} whose bytes hash to ${shortDigest(image.got)}, not ${shortDigest(image.digest)}`,
      };
    case "unreachable":
      return { tone: "amber", label: "unreachable", detail: image.reason };
    case "skipped":
      return { tone: "gray", label: image.reason === "disabled" ? "off" : "not checked", detail: image.detail };
  }
}

/** Every signature found is keyless (a Fulcio certificate), which Ladder does not verify. */
function onlyKeyless(signature: Extract<SignatureEvidence, { state: "invalid" }>): boolean {
  return signature.signatures.length > 0 && signature.signatures.every((s) => /keyless/.test(s.problem ?? ""));
}

export function signatureStatus(signature: SignatureEvidence): EvidenceStatus {
  switch (signature.state) {
    case "signed": {
      const how = signature.signatures.find((s) => s.verifiedBy.length > 0 && !s.problem);
      return {
        tone: "green",
        label: `signed by ${signature.keys.join(", ")}`,
        detail: how ? `${how.kind === "cosign" ? "cosign" : "Sigstore bundle"}: ${how.where}` : "",
      };
    }
    case "unsigned":
      return { tone: "amber", label: "unsigned", detail: `checked ${signature.checked.join("; ")}` };
    case "invalid":
      return onlyKeyless(signature)
        ? { tone: "gray", label: "keyless, not verified", detail: signature.reason }
        : { tone: "red", label: "invalid", detail: signature.reason };
    case "unreachable":
      return { tone: "amber", label: "not checked", detail: signature.reason };
    case "skipped":
      return { tone: "gray", label: "not checked", detail: signature.detail };
    case "no-keys":
      return { tone: "gray", label: "not verified", detail: "ladder.yaml names no signing.keys to verify with" };
  }
}

/**
 * The one badge a matrix cell shows for a pinned image: what most needs seeing first (a digest
 * the registry lacks or serves wrongly, then the signature). Nothing when evidence is off, the
 * digest was not looked up, or there is nothing to say (found, and no keys to verify with).
 */
export function cellBadge(evidence: RegistryEvidence): { tone: BadgeTone; label: string; title: string } | undefined {
  const title = registryEvidenceSummary(evidence);
  const { image, signature } = evidence;
  if (image.state === "skipped") return undefined;
  if (image.state === "not-found") return { tone: "red", label: "not in registry", title };
  if (image.state === "mismatch") return { tone: "red", label: "registry mismatch", title };
  if (image.state === "unreachable") return { tone: "gray", label: "registry unreachable", title };
  switch (signature.state) {
    case "signed":
      return { tone: "green", label: "signed", title };
    case "unsigned":
      return { tone: "amber", label: "unsigned", title };
    case "invalid":
      return onlyKeyless(signature)
        ? { tone: "gray", label: "keyless", title }
        : { tone: "red", label: "bad signature", title: `${title}: ${signature.reason}` };
    default:
      return undefined;
  }
}
