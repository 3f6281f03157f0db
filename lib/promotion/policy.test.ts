import { describe, expect, it } from "vitest";
import type { EnvironmentPolicy } from "../gitops/ladder-config";
import type { ImageLabelKind, ImageReference } from "../gitops/types";
import type { DigestEvidence } from "./evidence";
import { evaluatePolicy, formatDuration, type PolicyInput } from "./policy";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const now = new Date("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;

function ref(digest: string | null, tag: string | null = "1.0"): ImageReference {
  return {
    repository: "ghcr.io/acme/api",
    repositoryNormalised: "ghcr.io/acme/api",
    tag,
    digest,
    pinned: digest !== null,
    source: { file: "apps/api/overlays/x/kustomization.yaml", line: 9 },
    inherited: false,
    setBy: "images-transformer",
    usedBy: ["Deployment/api:api"],
  };
}

function evidence(patch: Partial<DigestEvidence> = {}): DigestEvidence {
  return {
    env: "staging",
    digest: D2,
    tag: null,
    observed: true,
    runningNow: true,
    since: "2026-03-08T12:00:00Z",
    commit: "c".repeat(40),
    author: "ci",
    until: null,
    ranForMs: 48 * HOUR,
    sinceIsLowerBound: false,
    commitsChecked: 12,
    truncated: false,
    ...patch,
  };
}

const prodPolicy: EnvironmentPolicy = {
  name: "prod",
  from: "staging",
  allowedDrift: [],
  freeze: false,
  promoters: [],
  lockers: [],
  allowTagOnly: false,
};

function input(patch: Partial<PolicyInput> = {}): PolicyInput {
  return {
    app: "api",
    toEnv: "prod",
    fromEnv: "staging",
    expectedFrom: "staging",
    rollback: false,
    digest: D2,
    target: ref(D1),
    targetExists: true,
    source: ref(D2),
    evidence: evidence(),
    policy: prodPolicy,
    locks: [],
    actor: "alice",
    promoter: { member: true, entry: "alice", via: "login" },
    now,
    ...patch,
  };
}

function statusOf(patch: Partial<PolicyInput>, id: string) {
  return evaluatePolicy(input(patch)).checks.find((c) => c.id === id);
}

describe("evaluatePolicy", () => {
  it("allows a pinned digest that runs in the feeding environment", () => {
    const d = evaluatePolicy(input());
    expect(d.allowed).toBe(true);
    expect(d.checks.every((c) => c.status === "pass")).toBe(true);
    expect(d.checks.map((c) => c.id)).toEqual([
      "target",
      "source-env",
      "pinned",
      "observed",
      "soak",
      "freeze",
      "lock",
      "promoter",
      "already-running",
    ]);
    expect(d.checks.find((c) => c.id === "observed")?.reason).toContain("since 2026-03-08T12:00:00Z");
  });

  it("promotes only from the environment that feeds the target", () => {
    expect(statusOf({ fromEnv: "dev" }, "source-env")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("fed by staging, not dev"),
    });
    expect(statusOf({ expectedFrom: undefined, fromEnv: undefined }, "source-env")).toMatchObject({ status: "fail" });
    expect(statusOf({ source: undefined }, "source-env")).toMatchObject({ status: "fail" });
  });

  it("refuses tag-only references unless policy allows them (with the reason)", () => {
    expect(statusOf({ digest: null, source: ref(null, "2.0") }, "pinned")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("by tag only"),
    });
    expect(
      statusOf({ digest: null, source: ref(null, "2.0"), policy: { ...prodPolicy, allowTagOnly: true } }, "pinned"),
    ).toMatchObject({
      status: "warn",
    });
  });

  it("never promotes what the scan labels: implicit latest, a placeholder, a malformed digest (whatever allows tags)", () => {
    const labelled = (written: string, kind: ImageLabelKind, text: string, digest: string | null = null): ImageReference => ({
      ...ref(digest, null),
      repository: "nginx",
      repositoryNormalised: "docker.io/library/nginx",
      pinned: false,
      written,
      labels: [{ kind, text, reason: `${written}: ${text}` }],
    });
    const tagsAllowed = { ...prodPolicy, allowTagOnly: true };
    const latest = evaluatePolicy(
      input({ digest: null, source: labelled("nginx", "implicit-latest", "implicit latest, unpinned"), policy: tagsAllowed }),
    );
    expect(latest.allowed).toBe(false);
    expect(latest.checks.find((c) => c.id === "pullable")).toMatchObject({
      status: "fail",
      reason: "nginx is implicit latest, unpinned: pin it by digest in staging first",
    });
    expect(
      statusOf({ digest: null, source: labelled("frontend", "placeholder", "placeholder"), policy: tagsAllowed }, "pullable"),
    ).toMatchObject({ status: "fail", reason: expect.stringMatching(/^frontend is placeholder: a build tool fills it in/) });
    // A malformed digest passes as "a digest" but is not one a runtime pulls by.
    const bad = evaluatePolicy(
      input({
        digest: "sha256:abc",
        source: labelled("nginx@sha256:abc", "invalid-digest", "not a valid sha256 digest", "sha256:abc"),
      }),
    );
    expect(bad.allowed).toBe(false);
    expect(bad.checks.find((c) => c.id === "pullable")?.reason).toBe(
      "nginx@sha256:abc is not a valid sha256 digest: no runtime pulls by it; set a sha256 digest in staging first",
    );
    // Nothing labelled, nothing added.
    expect(evaluatePolicy(input()).checks.some((c) => c.id === "pullable")).toBe(false);
  });

  it("never promotes a digest the feeding environment did not run", () => {
    const c = statusOf({ evidence: evidence({ observed: false, runningNow: false, since: null }), source: ref(D1) }, "observed");
    expect(c).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("never ran in staging (12 commits of history checked)"),
    });
    // Running at the head counts even when history was unavailable.
    expect(statusOf({ evidence: undefined }, "observed")?.status).toBe("pass");
    // An older digest staging ran before: allowed, with a warning.
    const older = statusOf(
      { evidence: evidence({ runningNow: false, until: "2026-03-09T00:00:00Z" }), source: ref(D1), target: ref(null) },
      "observed",
    );
    expect(older).toMatchObject({ status: "warn", reason: expect.stringContaining("moved on") });
  });

  it("enforces soak time", () => {
    const soaked = { ...prodPolicy, soak: "24h", soakMs: 24 * HOUR };
    expect(statusOf({ policy: soaked }, "soak")?.status).toBe("pass");
    expect(
      statusOf({ policy: soaked, evidence: evidence({ ranForMs: 2 * HOUR, since: "2026-03-10T10:00:00Z" }) }, "soak"),
    ).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("ready at 2026-03-11T10:00:00.000Z"),
    });
    expect(statusOf({ policy: soaked, evidence: undefined }, "soak")?.status).toBe("fail");
  });

  it("honours ladder.yaml freezes, ignoring ended ones", () => {
    expect(statusOf({ policy: { ...prodPolicy, freeze: true } }, "freeze")?.status).toBe("fail");
    expect(
      statusOf({ policy: { ...prodPolicy, freeze: { reason: "launch", until: "2026-03-12T00:00:00Z" } } }, "freeze"),
    ).toMatchObject({
      status: "fail",
      reason: "prod is frozen in ladder.yaml: launch (until 2026-03-12T00:00:00Z)",
    });
    expect(statusOf({ policy: { ...prodPolicy, freeze: { until: "2026-03-01T00:00:00Z" } } }, "freeze")?.status).toBe("pass");
  });

  it("honours locks on the environment or the app, ignoring expired ones and other apps", () => {
    const lock = {
      id: "l1",
      app: "*",
      env: "prod",
      reason: "incident",
      createdBy: "carol",
      createdAt: now.toISOString(),
      expiresAt: null,
    };
    expect(statusOf({ locks: [lock] }, "lock")).toMatchObject({ status: "fail", reason: "prod locked by carol: incident" });
    expect(statusOf({ locks: [{ ...lock, app: "web" }] }, "lock")?.status).toBe("pass");
    expect(statusOf({ locks: [{ ...lock, expiresAt: "2026-03-10T11:00:00Z" }] }, "lock")?.status).toBe("pass");
    expect(statusOf({ locks: [{ ...lock, app: "api", expiresAt: "2026-03-10T13:00:00Z" }] }, "lock")?.reason).toBe(
      "api in prod locked by carol until 2026-03-10T13:00:00Z: incident",
    );
  });

  it("checks promoters by login and by team membership", () => {
    const strict = { ...prodPolicy, promoters: ["Alice", "acme/release"] };
    expect(statusOf({ policy: strict }, "promoter")?.status).toBe("pass");
    const refused = { member: false, unreadable: [] } as const;
    expect(statusOf({ policy: strict, actor: "bob", promoter: refused }, "promoter")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("bob may not promote"),
    });
    const viaTeam = { member: true, entry: "acme/release", via: "team" } as const;
    expect(statusOf({ policy: strict, actor: "bob", promoter: viaTeam }, "promoter")?.reason).toContain("in acme/release");
    const unreadable = {
      member: false,
      unreadable: ["Ladder cannot read team membership of acme: grant the GitHub App the organization permission Members: read"],
    } as const;
    expect(statusOf({ policy: strict, actor: "bob", promoter: unreadable }, "promoter")?.reason).toContain(
      "grant the GitHub App the organization permission Members: read",
    );
  });

  it("refuses everything, first, while ladder.yaml is invalid", () => {
    const refusal = "ladder.yaml at 2aa5fbf is invalid: ladder.yaml:4: apps.0.format …";
    const decision = evaluatePolicy(input({ ladderYamlRefusal: refusal }));
    expect(decision.allowed).toBe(false);
    expect(decision.checks[0]).toMatchObject({ id: "ladder-yaml", status: "fail", reason: refusal });
  });

  it("refuses a digest the target already runs", () => {
    expect(statusOf({ target: ref(D2) }, "already-running")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("already running"),
    });
  });

  it("reports an open promotion: same digest returns it, another supersedes it, a pending one blocks", () => {
    const open = { id: "p", digest: D2, tag: null, status: "OPEN" as const, prNumber: 7, prUrl: null };
    expect(statusOf({ openPromotion: open }, "open-promotion")?.status).toBe("pass");
    expect(statusOf({ openPromotion: { ...open, digest: D1 } }, "open-promotion")).toMatchObject({
      status: "warn",
      reason: expect.stringContaining("PR #7"),
    });
    expect(statusOf({ openPromotion: { ...open, digest: D1, status: "PENDING" } }, "open-promotion")?.status).toBe("fail");
  });

  it("rollback: the digest must have run in the target before; soak does not apply", () => {
    const rb = { rollback: true, fromEnv: "prod", source: undefined, digest: D1, target: ref(D2) };
    expect(
      statusOf(
        { ...rb, evidence: evidence({ env: "prod", digest: D1, runningNow: false, until: "2026-03-09T00:00:00Z" }) },
        "ran-before",
      )?.status,
    ).toBe("pass");
    expect(statusOf({ ...rb, evidence: evidence({ observed: false, since: null }) }, "ran-before")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("never ran in prod"),
    });
    expect(statusOf({ ...rb, policy: { ...prodPolicy, soak: "1d", soakMs: 24 * HOUR } }, "soak")?.reason).toBe(
      "not applicable to a rollback",
    );
  });
});

describe("formatDuration", () => {
  it("reads naturally", () => {
    expect(formatDuration(5 * 60_000)).toBe("5m");
    expect(formatDuration(90 * 60_000)).toBe("1h 30m");
    expect(formatDuration(72 * HOUR)).toBe("3d");
  });
});

describe("evaluatePolicy for an artifact (chart version, remote base ref)", () => {
  const chart = (version: string | null, pinned = true) => ({
    kind: "chart" as const,
    name: "podinfo",
    version,
    pinned,
    source: { file: "apps/podinfo/prod/release.yaml", line: 9 },
    ...(pinned ? {} : { note: `version constraint '${version}', not one version` }),
  });
  const artifactInput = (patch: Partial<PolicyInput> = {}, source = chart("6.6.0"), target = chart("6.5.0")) =>
    input({
      digest: null,
      source: undefined,
      target: undefined,
      artifact: { kind: "chart", name: "podinfo", source, target },
      ...patch,
    });
  const checkOf = (i: PolicyInput, id: string) => evaluatePolicy(i).checks.find((c) => c.id === id);

  it("passes the same checks an image does, in the artifact's words", () => {
    const decision = evaluatePolicy(artifactInput({ policy: { ...prodPolicy, soakMs: 24 * HOUR, soak: "24h" } }));
    expect(decision.allowed).toBe(true);
    expect(checkOf(artifactInput(), "pinned")).toMatchObject({
      label: "Pinned version",
      status: "pass",
      reason: "chart podinfo is pinned to 6.6.0",
    });
    expect(checkOf(artifactInput(), "observed")?.reason).toMatch(/^chart podinfo 6\.6\.0 has run in staging since/);
    expect(checkOf(artifactInput(), "already-running")?.reason).toBe("prod runs chart podinfo 6.5.0");
  });

  it("refuses a range as not pinned, naming the constraint", () => {
    const c = checkOf(artifactInput({ evidence: undefined }, chart(">=6.0.0", false)), "pinned");
    expect(c).toMatchObject({ status: "fail" });
    expect(c?.reason).toBe(
      "staging runs chart podinfo '>=6.0.0': version constraint '>=6.0.0', not one version; only a pinned version is promoted",
    );
  });

  it("refuses a version the target already runs, a short soak and a frozen target", () => {
    expect(checkOf(artifactInput({}, chart("6.6.0"), chart("6.6.0")), "already-running")?.status).toBe("fail");
    const soak = checkOf(
      artifactInput({ evidence: evidence({ ranForMs: 2 * HOUR }), policy: { ...prodPolicy, soakMs: 24 * HOUR, soak: "24h" } }),
      "soak",
    );
    expect(soak?.status).toBe("fail");
    expect(checkOf(artifactInput({ policy: { ...prodPolicy, freeze: true } }), "freeze")?.status).toBe("fail");
  });

  it("never supersedes an open pull request that moves something else", () => {
    const open = { id: "p1", digest: D1, tag: "1.0", status: "OPEN" as const, prNumber: 7, prUrl: null };
    expect(
      checkOf(artifactInput({ openPromotion: { ...open, kind: "image", image: "ghcr.io/acme/api" } }), "open-promotion"),
    ).toMatchObject({
      status: "fail",
    });
    expect(
      checkOf(
        input({ openPromotion: { ...open, digest: null, tag: "6.6.0", kind: "chart", image: "podinfo" } }),
        "open-promotion",
      )?.status,
    ).toBe("fail");
    expect(
      checkOf(
        artifactInput({ openPromotion: { ...open, digest: null, tag: "6.6.0", kind: "chart", image: "podinfo" } }),
        "open-promotion",
      )?.status,
    ).toBe("pass");
  });
});
