/** The public surface of lib/gitops: what the web app, the CLI and other lib modules call. */
export { detectLayout } from "./detect-layout";
export { envRank, orderEnvironments } from "./env-names";
export { normaliseRepository, splitImage } from "./image-ref";
export { type ImagePair, type ImageRelation, imageRelation, relateCells } from "./image-relation";
export {
  type EnvironmentPolicy,
  environmentNames,
  environmentPolicies,
  type LadderConfig,
  type LadderParseResult,
  ladderConfigSchema,
  ladderJsonSchema,
  parseDuration,
  parseLadderConfig,
} from "./ladder-config";
export { memorySnapshot } from "./memory-snapshot";
export {
  DEFAULT_ALLOWED_DRIFT,
  diffEnvironments,
  type EnvironmentDiff,
  type FileDiff,
  type SemanticChange,
  type Thinness,
} from "./overlay-diff";
export { type DigestEditPlan, type DigestEditRequest, EditPlanError, planDigestEdit } from "./plan-edit";
export { findRenderer, type RenderOptions } from "./rendered";
export { type ScanOptions, scanRepository } from "./scan";
export type * from "./types";
