/** The public surface of lib/promotion: what server actions, route handlers and the CLI call. */
export {
  type AuditEvent,
  type AuditEventType,
  appendEvent,
  type ChainVerification,
  canonicalJson,
  eventHash,
  verifyChain,
} from "./audit-chain";
export { type Actor, type PromotionContext, promotionContextFromEnv, type TeamMembership } from "./context";
export { LockError, PromotionInputError, PromotionNotFoundError } from "./errors";
export {
  type DigestEvidence,
  digestEvidence,
  environmentTimeline,
  type Timeline,
  type TimelineRequest,
  type TimelineSegment,
} from "./evidence";
export {
  exportPromotions,
  getPromotionWithEvents,
  listPromotions,
  type PromotionExport,
  type PromotionFilters,
  type PromotionPage,
  type PromotionWithEvents,
} from "./history";
export { activeLocks, type LockInput, type LockRecord, lockEnvironment, releaseLock } from "./locks";
export { type CheckId, type CheckStatus, evaluatePolicy, type PolicyCheck, type PolicyDecision, policyFor } from "./policy";
export {
  type CellSide,
  type PlannedChange,
  type PromotionPreview,
  type PromotionRequest,
  previewPromotion,
} from "./preview-promotion";
export type { PromotionRecord, PromotionStatus } from "./promotion-record";
export type { Transition } from "./promotion-state";
export { type LeadTimeSample, type PromotionStats, promotionStats, type WeeklyCount } from "./promotion-stats";
export { type RequestPromotionResult, requestPromotion, type SupersedeOutcome } from "./request-promotion";
export { previewRollback, type RollbackRequest, requestRollback, rollbackCandidates } from "./rollback";
export {
  processWebhook,
  type ReconcileOptions,
  type ReconcileResult,
  reconcile,
  reconcileIfDue,
  type WebhookResult,
} from "./track-pull-requests";
