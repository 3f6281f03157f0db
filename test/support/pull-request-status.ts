import type { PullRequestStatus } from "@/lib/github/pull-request-status";

/** A pull request waiting on its second approval and a required check: how the UI words that is tested against it. */
export const waitingPullRequestStatus: PullRequestStatus = {
  number: 4,
  headSha: "f".repeat(40),
  baseBranch: "main",
  mergeable: true,
  mergeableState: "blocked",
  reviews: { decision: "review-required", approvals: 1, required: 2, approvedBy: ["alice"], changesRequestedBy: [] },
  checks: { state: "pending", list: [{ name: "ci/test", state: "pending", required: true }] },
  protection: "read",
  checkedAt: "2026-12-01T12:00:00.000Z",
};
