import { describe, expect, it } from "vitest";
import type { PullRequestStatus } from "../github/pull-request-status";
import type { EnvironmentPolicy } from "../gitops/ladder-config";
import { type AutoMergeInput, decideAutoMerge } from "./auto-merge";
import { statusFingerprint } from "./review-status";

const head = "d".repeat(40);
const clean: PullRequestStatus = {
  number: 9,
  headSha: head,
  baseBranch: "main",
  mergeable: true,
  mergeableState: "clean",
  reviews: { decision: "approved", approvals: 1, required: 1, approvedBy: ["alice"], changesRequestedBy: [] },
  checks: { state: "success", list: [{ name: "ci/test", state: "success", required: true }] },
  protection: "read",
  checkedAt: "2026-12-01T12:00:00.000Z",
};
const policy: EnvironmentPolicy = {
  name: "prod",
  from: "staging",
  allowedDrift: [],
  freeze: false,
  soak: "1h",
  soakMs: 3_600_000,
  promoters: [],
  lockers: [],
  allowTagOnly: false,
  autoMerge: true,
};
const now = new Date("2026-12-01T12:00:00Z");
const input = (over: Partial<AutoMergeInput> = {}): AutoMergeInput => ({
  row: {
    status: "OPEN",
    toEnv: "prod",
    rollback: false,
    sourceSince: new Date("2026-12-01T10:00:00Z"),
    prNumber: 9,
    headCommit: head,
  },
  status: clean,
  policy,
  refusal: null,
  now,
  ...over,
});

describe("decideAutoMerge", () => {
  it("merges a clean pull request of Ladder's own commit once the soak has passed", () => {
    expect(decideAutoMerge(input())).toEqual({ merge: true });
  });

  it("says why not, for each thing that must hold", () => {
    const reason = (over: Partial<AutoMergeInput>) => {
      const d = decideAutoMerge(input(over));
      return d.merge ? "merge" : d.reason;
    };
    expect(reason({ policy: { ...policy, autoMerge: false } })).toBe("auto-merge is off for prod");
    expect(reason({ policy: undefined })).toBe("auto-merge is off for prod");
    expect(reason({ ladderYamlRefusal: "ladder.yaml at abc1234 is invalid" })).toBe("ladder.yaml at abc1234 is invalid");
    expect(reason({ status: { ...clean, mergeableState: "blocked" } })).toBe("GitHub does not call it mergeable yet (blocked)");
    expect(reason({ status: { ...clean, mergeableState: "unstable" } })).toMatch(/unstable/);
    expect(reason({ status: { ...clean, headSha: "e".repeat(40) } })).toMatch(/head moved from Ladder's commit/);
    expect(reason({ status: { ...clean, checks: { state: "pending", list: [] } } })).toBe("checks pending");
    expect(reason({ now: new Date("2026-12-01T10:30:00Z") })).toMatch(/^soak of 1h not over: ready at 2026-12-01T11:00:00.000Z/);
    expect(reason({ row: { ...input().row, sourceSince: null } })).toMatch(/cannot tell since when/);
    expect(reason({ row: { ...input().row, status: "MERGED" } })).toBe("the promotion is not open");
    const refusal = {
      at: "2026-12-01T11:59:00Z",
      headSha: head,
      fingerprint: statusFingerprint(clean),
      status: 405,
      message: "no",
    };
    expect(reason({ refusal })).toMatch(/^GitHub refused this merge at/);
    // Something changed since the refusal: ask again.
    expect(reason({ refusal: { ...refusal, fingerprint: "older" } })).toBe("merge");
  });

  it("does not wait for a soak on a rollback", () => {
    expect(decideAutoMerge(input({ row: { ...input().row, rollback: true, sourceSince: null } }))).toEqual({ merge: true });
  });
});
