import { describe, expect, it } from "vitest";
import type { PullRequestStatus } from "../github/pull-request-status";
import { describePromotionStatus, parseReviewStatus, statusFingerprint } from "./review-status";

const status = (
  over: Partial<PullRequestStatus> = {},
  reviews: Partial<PullRequestStatus["reviews"]> = {},
): PullRequestStatus => ({
  number: 3,
  headSha: "b".repeat(40),
  baseBranch: "main",
  mergeable: true,
  mergeableState: "blocked",
  reviews: { decision: "review-required", approvals: 1, required: 2, approvedBy: ["alice"], changesRequestedBy: [], ...reviews },
  checks: { state: "pending", list: [{ name: "ci/test", state: "pending", required: true }] },
  protection: "read",
  checkedAt: "2026-12-01T12:00:00.000Z",
  ...over,
});

describe("describePromotionStatus", () => {
  it("reads as the pages show it", () => {
    expect(describePromotionStatus("OPEN", status())).toBe("OPEN · 1 of 2 approvals · checks pending");
    expect(describePromotionStatus("OPEN", status({}, { required: 1, approvals: 1 }))).toBe(
      "OPEN · 1 of 1 approval · checks pending",
    );
    expect(
      describePromotionStatus("OPEN", status({ checks: { state: "failure", list: [] } }, { changesRequestedBy: ["bob"] })),
    ).toBe("OPEN · changes requested by bob · checks failing");
    expect(
      describePromotionStatus(
        "OPEN",
        status({ mergeableState: "dirty", checks: { state: "none", list: [] } }, { required: null, approvals: 0 }),
      ),
    ).toBe("OPEN · no reviews · no checks · merge conflict");
    expect(describePromotionStatus("OPEN", null)).toBe("OPEN");
    expect(describePromotionStatus("MERGED", status())).toBe("MERGED");
  });

  it("reads back only a status of the stored shape", () => {
    const s = status();
    expect(parseReviewStatus(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(parseReviewStatus({ number: 1 })).toBeNull();
    expect(parseReviewStatus(null)).toBeNull();
  });

  it("fingerprints what a merge decision rests on", () => {
    expect(statusFingerprint(status())).toBe(statusFingerprint(status({ checkedAt: "2027-01-01T00:00:00.000Z" })));
    expect(statusFingerprint(status())).not.toBe(statusFingerprint(status({}, { approvedBy: ["alice", "bob"] })));
    expect(statusFingerprint(status())).not.toBe(statusFingerprint(status({ headSha: "c".repeat(40) })));
  });
});
