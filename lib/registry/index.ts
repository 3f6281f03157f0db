/** Registry evidence for digests: what lib/registry offers the rest of Ladder (docs/registry.md). */
export type {
  ImageEvidence,
  ImageFound,
  RegistryEvidence,
  SignatureCheck,
  SignatureEvidence,
} from "./evidence-types";
export { registryReader, signingKeysOf } from "./from-env";
export { type RegistryCheck, type RegistryCheckId, type RegistryPolicy, registryChecks } from "./registry-checks";
export { registryEvidenceMarkdown, registryEvidenceSummary } from "./registry-evidence-text";
export { RegistryReader, type RegistryReaderOptions } from "./registry-reader";
export { RequestBudget } from "./request-budget";
export type { SigningKey } from "./signing-keys";
