import type { OpenPromotionView } from "@/lib/data/promotions";
import { reviewStatusTitle } from "../history/review-status";

/** The cell's open promotion: "PR #12 · OPEN · 1 of 2 approvals · checks pending", linking to the pull request. */
export function OpenPromotionBadge({ promotion, testId }: { promotion: OpenPromotionView; testId: string }) {
  const text = `${promotion.prNumber ? `PR #${promotion.prNumber} · ` : ""}${promotion.summary}${promotion.autoMerge ? " · auto-merge" : ""}`;
  const title = promotion.reviewStatus ? reviewStatusTitle(promotion.reviewStatus) : "Waiting for GitHub";
  const className =
    "block truncate rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300";
  return promotion.prUrl ? (
    <a href={promotion.prUrl} data-testid={testId} title={title} className={`${className} hover:underline`}>
      {text}
    </a>
  ) : (
    <span data-testid={testId} title={title} className={className}>
      {text}
    </span>
  );
}
