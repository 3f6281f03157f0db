/**
 * What Ladder knows about a digest from its registry, as plain data (it crosses into pages, the
 * dialog, the PR body and the policy checks). Every state says what was asked and what came back;
 * nothing unverified is ever "found" or "signed".
 */
import type { UnreachableCause } from "./registry-http";
import type { SourceInfo } from "./source-link";

export interface AskedFor {
  /** The registry as image names write it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Docker-normalised repository: `ghcr.io/acme/api`. */
  repository: string;
  digest: string;
}

export type SkipReason = "budget" | "disabled" | "not-pinned";

export interface Skipped {
  state: "skipped";
  reason: SkipReason;
  /** What a person reads: "registry evidence is off (LADDER_REGISTRIES=off)". */
  detail: string;
}

export interface Unreachable extends AskedFor {
  state: "unreachable";
  cause: UnreachableCause;
  reason: string;
}

export interface ImageFound extends AskedFor {
  state: "found";
  /** The manifest's media type (an OCI or Docker image index, or one image manifest). */
  mediaType: string;
  kind: "index" | "manifest";
  /** An index's platforms, or the one platform of an image's config (`linux/amd64`). */
  platforms: string[];
  /** The config's `created` (or the `org.opencontainers.image.created` annotation). */
  created: string | null;
  /** The config's labels, then the manifest's annotations (an annotation wins). */
  labels: Record<string, string>;
  source: SourceInfo | null;
  /** Set when the manifest was read but its config could not be (the rest of the fields are then partial). */
  incomplete?: string;
}

export type ImageEvidence =
  | ImageFound
  | (AskedFor & { state: "not-found" })
  | Unreachable
  | (AskedFor & { state: "mismatch"; what: string; got: string })
  | Skipped;

/** One signature Ladder found and what became of checking it. */
export interface SignatureCheck {
  kind: "cosign" | "sigstore-bundle";
  /** Where it was read: `ghcr.io/acme/api:sha256-….sig` (layer 1), or the referrer's digest. */
  where: string;
  /** The configured keys it verifies with. */
  verifiedBy: string[];
  /** Why it does not count, when it does not. */
  problem?: string;
}

export type SignatureEvidence =
  | (AskedFor & { state: "signed"; keys: string[]; signatures: SignatureCheck[] })
  /** `checked`: each place a signature could have been and was not. */
  | (AskedFor & { state: "unsigned"; checked: string[] })
  | (AskedFor & { state: "invalid"; reason: string; signatures: SignatureCheck[] })
  | Unreachable
  | Skipped
  /** No signing keys are configured, so there is nothing to verify against. */
  | { state: "no-keys" };

export interface RegistryEvidence {
  image: ImageEvidence;
  signature: SignatureEvidence;
}
