import type { PullRequestStatus } from "@/lib/github/pull-request-status";
import { reviewStatusParts } from "@/lib/promotion/review-status";

/** Who approved, who asked for changes, each check: the detail behind the one-line summary. */
export function reviewStatusTitle(status: PullRequestStatus): string {
  const lines = [
    status.reviews.approvedBy.length > 0 ? `Approved by ${status.reviews.approvedBy.join(", ")}` : "No approvals",
    ...(status.reviews.changesRequestedBy.length > 0
      ? [`Changes requested by ${status.reviews.changesRequestedBy.join(", ")}`]
      : []),
    ...status.checks.list.map((c) => `${c.name}: ${c.state}${c.required ? " (required)" : ""}`),
    `GitHub: ${status.mergeableState}`,
    `Checked ${status.checkedAt}`,
  ];
  return lines.join("\n");
}

/** " · 1 of 2 approvals · checks pending" after an OPEN badge; nothing when no status was read yet. */
export function ReviewStatusText({ status }: { status: PullRequestStatus | null }) {
  const parts = reviewStatusParts(status);
  if (!status || parts.length === 0) return null;
  const failing = status.checks.state === "failure" || status.reviews.changesRequestedBy.length > 0;
  return (
    <span
      data-testid="review-status"
      title={reviewStatusTitle(status)}
      className={`text-xs ${failing ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
    >
      {parts.map((part) => ` · ${part}`).join("")}
    </span>
  );
}
