/**
 * A promotion's review and check status as the pages show it — "OPEN · 1 of 2 approvals ·
 * checks pending" — and the stored form read back safely: the JSON on the row was written by
 * Ladder, but a column is no type, so it is checked before anything renders it. Pure; safe in
 * client components.
 */
import { z } from "zod";
import type { PullRequestStatus } from "../github/pull-request-status";

const checkState = z.enum(["pending", "success", "failure"]);

const reviewStatusSchema = z.object({
  number: z.number(),
  headSha: z.string(),
  baseBranch: z.string(),
  mergeable: z.boolean().nullable(),
  mergeableState: z.string(),
  reviews: z.object({
    decision: z.enum(["approved", "changes-requested", "review-required", "none"]),
    approvals: z.number(),
    required: z.number().nullable(),
    approvedBy: z.array(z.string()),
    changesRequestedBy: z.array(z.string()),
  }),
  checks: z.object({
    state: z.union([checkState, z.literal("none")]),
    list: z.array(z.object({ name: z.string(), state: checkState, required: z.boolean() })),
  }),
  protection: z.enum(["read", "none", "unreadable"]),
  checkedAt: z.string(),
});

/** A merge GitHub refused for auto-merge: what Ladder saw when it asked, and GitHub's answer. */
export interface AutoMergeRefusal {
  at: string;
  headSha: string;
  /** statusFingerprint of what Ladder saw: it asks again only once that changes. */
  fingerprint: string;
  status: number;
  message: string;
}

const refusalSchema = z.object({
  at: z.string(),
  headSha: z.string(),
  fingerprint: z.string(),
  status: z.number(),
  message: z.string(),
});

/** The stored status, or null when there is none or it does not have the expected shape. */
export function parseReviewStatus(value: unknown): PullRequestStatus | null {
  const parsed = reviewStatusSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function parseAutoMergeRefusal(value: unknown): AutoMergeRefusal | null {
  const parsed = refusalSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What Ladder saw, in one string: a refused merge is asked again only once this changes. */
export function statusFingerprint(status: PullRequestStatus): string {
  const checks = status.checks.list.map((c) => `${c.name}=${c.state}`).join(",");
  return [
    status.headSha,
    status.mergeableState,
    status.reviews.approvedBy.join(","),
    status.reviews.changesRequestedBy.join(","),
    checks,
  ].join("|");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The review part: "1 of 2 approvals", "changes requested by bob", "2 approvals", "no reviews". */
export function describeReviews(status: PullRequestStatus): string {
  const r = status.reviews;
  if (r.changesRequestedBy.length > 0) return `changes requested by ${r.changesRequestedBy.join(", ")}`;
  if (r.required !== null && r.required > 0) return `${r.approvals} of ${plural(r.required, "approval")}`;
  return r.approvals > 0 ? plural(r.approvals, "approval") : "no reviews";
}

/** The checks part: "checks pending", "checks passed", "checks failing", "no checks". */
export function describeChecks(status: PullRequestStatus): string {
  switch (status.checks.state) {
    case "pending":
      return "checks pending";
    case "success":
      return "checks passed";
    case "failure":
      return "checks failing";
    default:
      return "no checks";
  }
}

/** GitHub's word on merging, when it adds to the reviews and checks: conflicts, out of date, draft. */
function describeMergeable(status: PullRequestStatus): string | undefined {
  switch (status.mergeableState) {
    case "dirty":
      return "merge conflict";
    case "behind":
      return "behind the base branch";
    case "draft":
      return "draft";
    default:
      return undefined;
  }
}

/** The parts after the status: ["1 of 2 approvals", "checks pending"]; empty without a status. */
export function reviewStatusParts(status: PullRequestStatus | null): string[] {
  if (!status) return [];
  const mergeable = describeMergeable(status);
  return [describeReviews(status), describeChecks(status), ...(mergeable ? [mergeable] : [])];
}

/** "OPEN · 1 of 2 approvals · checks pending"; the review part only while the promotion is OPEN. */
export function describePromotionStatus(promotionStatus: string, status: PullRequestStatus | null): string {
  const parts = promotionStatus === "OPEN" ? reviewStatusParts(status) : [];
  return [promotionStatus, ...parts].join(" · ");
}
