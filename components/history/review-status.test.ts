/**
 * The review and check status as the history row and the drawer render it:
 * "OPEN · 1 of 2 approvals · checks pending", with who approved and each check in the title (the
 * matrix cell's own badge: components/matrix/grid-data.test.ts).
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { waitingPullRequestStatus } from "@/test/support/pull-request-status";
import { ReviewStatusText } from "./review-status";

const status = waitingPullRequestStatus;

describe("review status", () => {
  it("follows the OPEN badge in history and the drawer", () => {
    const html = renderToStaticMarkup(createElement(ReviewStatusText, { status }));
    expect(html).toContain(" · 1 of 2 approvals · checks pending");
    expect(html).toContain("Approved by alice");
    expect(html).toContain("ci/test: pending (required)");
    expect(renderToStaticMarkup(createElement(ReviewStatusText, { status: null }))).toBe("");
  });
});
