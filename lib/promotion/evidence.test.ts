import { describe, expect, it } from "vitest";
import { buildSegments, type CommitState, digestEvidence, type Timeline, versionEvidence } from "./evidence";

const D = (n: number) => `sha256:${String(n).repeat(64)}`;
const commit = (sha: string, date: string) => ({ sha, date, author: "ci", message: `deploy ${sha}\n\nbody` });

// Newest first, as path history comes.
const states: CommitState[] = [
  { commit: commit("c5", "2026-03-05T00:00:00Z"), image: { digest: D(3), tag: "1.2" } },
  { commit: commit("c4", "2026-03-04T00:00:00Z"), image: { digest: D(2), tag: "1.1" } }, // replica bump: same digest
  { commit: commit("c3", "2026-03-03T00:00:00Z"), image: { digest: D(2), tag: "1.1" } },
  { commit: commit("c2", "2026-03-02T00:00:00Z"), image: { digest: D(1), tag: "1.0" } },
  { commit: commit("c1", "2026-03-01T00:00:00Z"), image: undefined },
];

function timeline(truncated: boolean): Timeline {
  return {
    app: "api",
    env: "staging",
    image: "ghcr.io/acme/api",
    segments: buildSegments(states),
    truncated,
    commitsChecked: 5,
    paths: [],
  };
}

describe("buildSegments", () => {
  it("folds equal consecutive states into segments, newest first, each starting at the commit that set it", () => {
    expect(buildSegments(states).map((s) => [s.digest, s.commit, s.from, s.to, s.deployed, s.message])).toEqual([
      [D(3), "c5", "2026-03-05T00:00:00Z", null, true, "deploy c5"],
      [D(2), "c3", "2026-03-03T00:00:00Z", "2026-03-05T00:00:00Z", true, "deploy c3"],
      [D(1), "c2", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", true, "deploy c2"],
      [null, "c1", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", false, "deploy c1"],
    ]);
  });

  it("is empty without history", () => {
    expect(buildSegments([])).toEqual([]);
  });
});

describe("digestEvidence", () => {
  const now = new Date("2026-03-06T00:00:00Z");

  it("running now: since the commit that put it there", () => {
    expect(digestEvidence(timeline(false), D(3), now)).toMatchObject({
      observed: true,
      runningNow: true,
      since: "2026-03-05T00:00:00Z",
      commit: "c5",
      until: null,
      ranForMs: 86_400_000,
      sinceIsLowerBound: false,
    });
  });

  it("ran before: from … until …", () => {
    expect(digestEvidence(timeline(false), D(2), now)).toMatchObject({
      observed: true,
      runningNow: false,
      since: "2026-03-03T00:00:00Z",
      until: "2026-03-05T00:00:00Z",
      ranForMs: 2 * 86_400_000,
    });
  });

  it("never ran", () => {
    expect(digestEvidence(timeline(false), D(9), now)).toMatchObject({ observed: false, since: null, ranForMs: 0 });
  });

  it("a run reaching the history limit is a lower bound", () => {
    const t = timeline(true);
    t.segments = t.segments.slice(0, 2);
    expect(digestEvidence(t, D(2), now).sinceIsLowerBound).toBe(true);
    expect(digestEvidence(t, D(3), now).sinceIsLowerBound).toBe(false);
  });
});

describe("versionEvidence", () => {
  it("folds an artifact's versions into segments and reads one version's run", () => {
    const byVersion: CommitState[] = [
      { commit: commit("c3", "2026-03-03T00:00:00Z"), image: { digest: null, tag: null, version: "6.6.0" } },
      { commit: commit("c2", "2026-03-02T00:00:00Z"), image: { digest: null, tag: null, version: "6.5.0" } },
      { commit: commit("c1", "2026-03-01T00:00:00Z"), image: { digest: null, tag: null, version: "6.5.0" } },
    ];
    const t: Timeline = {
      app: "podinfo",
      env: "staging",
      image: null,
      artifact: { kind: "chart", name: "podinfo" },
      segments: buildSegments(byVersion),
      truncated: false,
      commitsChecked: 3,
      paths: [],
    };
    expect(t.segments.map((s) => [s.version, s.commit])).toEqual([
      ["6.6.0", "c3"],
      ["6.5.0", "c1"],
    ]);
    const now = new Date("2026-03-04T00:00:00Z");
    expect(versionEvidence(t, { kind: "chart", name: "podinfo" }, "6.5.0", now)).toMatchObject({
      observed: true,
      runningNow: false,
      since: "2026-03-01T00:00:00Z",
      until: "2026-03-03T00:00:00Z",
      version: "6.5.0",
    });
    expect(versionEvidence(t, { kind: "chart", name: "podinfo" }, "6.6.0", now)).toMatchObject({
      runningNow: true,
      ranForMs: 86_400_000,
    });
    expect(versionEvidence(t, { kind: "chart", name: "podinfo" }, "7.0.0", now).observed).toBe(false);
  });
});
