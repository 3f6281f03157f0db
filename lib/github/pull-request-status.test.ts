import { describe, expect, it } from "vitest";
import { type ProtectionFacts, type PullGate, summarisePullRequestStatus } from "./pull-request-status";

const pull: PullGate = { number: 7, headSha: "a".repeat(40), baseBranch: "main", mergeable: true, mergeableState: "blocked" };
const protection = (requiredApprovals: number | null, requiredChecks: string[] = []): ProtectionFacts => ({
  kind: "read",
  requiredApprovals,
  requiredChecks,
});
const at = new Date("2026-12-01T12:00:00Z");
const review = (login: string, state: string) => ({ user: { login }, state });

describe("summarisePullRequestStatus", () => {
  it("counts each reviewer's latest review; comments change nothing, changes requested wins", () => {
    const status = summarisePullRequestStatus({
      pull,
      reviews: [
        review("alice", "CHANGES_REQUESTED"),
        review("alice", "APPROVED"),
        review("bob", "APPROVED"),
        review("bob", "COMMENTED"),
      ],
      statuses: [],
      checkRuns: [],
      protection: protection(2),
      checkedAt: at,
    });
    expect(status.reviews).toEqual({
      decision: "approved",
      approvals: 2,
      required: 2,
      approvedBy: ["alice", "bob"],
      changesRequestedBy: [],
    });
    const blocked = summarisePullRequestStatus({
      pull,
      reviews: [review("alice", "APPROVED"), review("carol", "CHANGES_REQUESTED")],
      statuses: [],
      checkRuns: [],
      protection: protection(1),
      checkedAt: at,
    });
    expect(blocked.reviews.decision).toBe("changes-requested");
    const dismissed = summarisePullRequestStatus({
      pull,
      reviews: [review("alice", "APPROVED"), review("alice", "DISMISSED")],
      statuses: [],
      checkRuns: [],
      protection: protection(1),
      checkedAt: at,
    });
    expect(dismissed.reviews).toMatchObject({ decision: "review-required", approvals: 0 });
  });

  it("decides over the required checks, a missing one pending; over every check without protection", () => {
    const input = {
      pull,
      reviews: [],
      statuses: [
        { context: "ci/test", state: "success" },
        { context: "lint", state: "failure" },
      ],
      checkRuns: [
        { name: "build", status: "completed", conclusion: "neutral" },
        { name: "e2e", status: "in_progress", conclusion: null },
      ],
      checkedAt: at,
    };
    const required = summarisePullRequestStatus({ ...input, protection: protection(null, ["ci/test", "build", "deploy"]) });
    expect(required.checks.state).toBe("pending");
    expect(required.checks.list).toEqual([
      { name: "build", state: "success", required: true },
      { name: "ci/test", state: "success", required: true },
      { name: "deploy", state: "pending", required: true },
      { name: "e2e", state: "pending", required: false },
      { name: "lint", state: "failure", required: false },
    ]);
    const unprotected = summarisePullRequestStatus({
      ...input,
      protection: { kind: "none", requiredApprovals: null, requiredChecks: [] },
    });
    expect(unprotected.checks.state).toBe("failure");
    expect(unprotected.reviews.decision).toBe("none");
    const none = summarisePullRequestStatus({ ...input, statuses: [], checkRuns: [], protection: protection(null) });
    expect(none.checks).toEqual({ state: "none", list: [] });
  });
});
