/** The promotion row as the rest of Ladder sees it: plain JSON-safe data (dates as ISO strings). */
import type { Promotion, PromotionStatus } from "../generated/prisma/client";
import type { PullRequestStatus } from "../github/pull-request-status";
import { type AutoMergeRefusal, parseAutoMergeRefusal, parseReviewStatus } from "./review-status";

export type { PromotionStatus };

export interface PromotionRecord {
  id: string;
  repository: string;
  app: string;
  /** image | chart | remote-base */
  kind: string;
  image: string;
  fromEnv: string;
  toEnv: string;
  /** Null for a tag-only promotion (and for charts and refs). */
  digest: string | null;
  previousDigest: string | null;
  /** The tag moved with the digest (a chart's version, a ref); null when the source runs a bare digest. */
  tag: string | null;
  previousTag: string | null;
  /** Shared by the promotions one pull request opened together. */
  bundleId: string | null;
  /** A canary: the one target of toEnv it moves. */
  target: string | null;
  status: PromotionStatus;
  /** 1 for the first attempt of (repository, app, toEnv, digest); a retry after FAILED/CLOSED is the next. */
  attempt: number;
  rollback: boolean;
  prNumber: number | null;
  prUrl: string | null;
  branch: string | null;
  headCommit: string | null;
  baseCommit: string;
  targetPath: string | null;
  requestedBy: string;
  /** Since when the digest ran in the source environment when it was requested (git history). */
  sourceSince: string | null;
  error: string | null;
  /** While OPEN: reviews, required checks and GitHub's mergeable state as last read (review-status.ts). */
  reviewStatus: PullRequestStatus | null;
  /** The last auto-merge GitHub refused, if any. */
  autoMergeRefusal: AutoMergeRefusal | null;
  createdAt: string;
  updatedAt: string;
  openedAt: string | null;
  closedAt: string | null;
}

/**
 * What a promotion moves, as one string: the digest (which names the bytes), else `tag:<tag>` for a
 * tag-only promotion (a chart version, a ref). The idempotency key and the branch name use it.
 */
export function promotedReference(p: { digest: string | null; tag: string | null }): string {
  if (p.digest) return p.digest;
  if (p.tag) return `tag:${p.tag}`;
  throw new Error("a promotion moves a digest or a tag");
}

/** `${repository}|${app}|${toEnv}|${reference}` — the part of the idempotency key every attempt shares. */
export function idempotencyBase(repository: string, app: string, toEnv: string, reference: string): string {
  return `${repository}|${app}|${toEnv}|${reference}`;
}

export function idempotencyKey(repository: string, app: string, toEnv: string, reference: string, attempt: number): string {
  return `${idempotencyBase(repository, app, toEnv, reference)}#${attempt}`;
}

export function attemptOf(key: string): number {
  const m = /#(\d+)$/.exec(key);
  return m ? Number(m[1]) : 1;
}

/** `${repository}|${app}|${toEnv}`: unique while PENDING or OPEN. */
/** `prod`, or `prod/us-east-1` for a canary into one target: what a promotion's slot and key name. */
export function addressOf(toEnv: string, target: string | null | undefined): string {
  return target ? `${toEnv}/${target}` : toEnv;
}

export function openSlot(repository: string, app: string, toEnv: string): string {
  return `${repository}|${app}|${toEnv}`;
}

export function toPromotionRecord(row: Promotion): PromotionRecord {
  return {
    id: row.id,
    repository: row.repository,
    app: row.app,
    kind: row.kind,
    image: row.image,
    fromEnv: row.fromEnv,
    toEnv: row.toEnv,
    digest: row.digest,
    previousDigest: row.previousDigest,
    tag: row.tag,
    previousTag: row.previousTag,
    bundleId: row.bundleId,
    target: row.target,
    status: row.status,
    attempt: attemptOf(row.idempotencyKey),
    rollback: row.rollback,
    prNumber: row.prNumber,
    prUrl: row.prUrl,
    branch: row.branch,
    headCommit: row.headCommit,
    baseCommit: row.baseCommit,
    targetPath: row.targetPath,
    requestedBy: row.requestedBy,
    sourceSince: row.sourceSince?.toISOString() ?? null,
    error: row.error,
    reviewStatus: parseReviewStatus(row.reviewStatus),
    autoMergeRefusal: parseAutoMergeRefusal(row.autoMergeRefusal),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    openedAt: row.openedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}
