/**
 * Promotion policy: every rule as a named check with pass/fail/warn and a reason a person can
 * act on. `evaluatePolicy` is pure — the caller gathers the scan, history evidence, locks and
 * team memberships first — so the same decision is shown in the dialog and re-checked on the
 * server before anything is written.
 */
import { type ListMatch, unreadableNote } from "../auth/membership";
import { shortDigest } from "../gitops/image-ref";
import { type EnvironmentPolicy, environmentPolicies, type LadderConfig } from "../gitops/ladder-config";
import { artifactLabel } from "../gitops/plan-artifact-edit";
import { scanContext } from "../gitops/scan";
import type { Artifact, ImageLabelKind, ImageReference, ScanResult } from "../gitops/types";
import type { RegistryCheckId } from "../registry";
import type { RunEvidence } from "./evidence";

export type CheckStatus = "pass" | "fail" | "warn";

export type CheckId =
  | "ladder-yaml"
  | "target"
  | "source-env"
  | "pinned"
  | "pullable"
  | "observed"
  | "ran-before"
  | "soak"
  | "freeze"
  | "lock"
  | "promoter"
  | "already-running"
  | "open-promotion"
  | "plan"
  | "targets"
  | RegistryCheckId;

export interface PolicyCheck {
  id: CheckId;
  label: string;
  status: CheckStatus;
  reason: string;
}

export interface PolicyDecision {
  allowed: boolean;
  checks: PolicyCheck[];
}

/** An active lock or freeze set from the UI (see locks.ts). */
export interface LockInfo {
  id: string;
  app: string;
  env: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
}

/** An open promotion already holding the (repository, app, environment) slot. */
export interface OpenPromotionInfo {
  id: string;
  /** image | chart | remote-base, and the image repository or the artifact's name (absent: an image). */
  kind?: string;
  image?: string;
  digest: string | null;
  tag: string | null;
  /** Set when the open promotion is part of a bundle (its pull request moves other apps too). */
  bundleId?: string | null;
  status: "PENDING" | "OPEN";
  prNumber: number | null;
  prUrl: string | null;
}

export interface PolicyInput {
  app: string;
  toEnv: string;
  /** The environment the digest is taken from (for a rollback: `toEnv` itself). */
  fromEnv: string | undefined;
  /** The environment that feeds `toEnv` by policy (ladder.yaml `from`, else the rung below). */
  expectedFrom: string | undefined;
  rollback: boolean;
  /** The digest to promote, when known. */
  digest: string | null;
  /** The app has the target environment and the image is deployed there. */
  target: ImageReference | undefined;
  targetExists: boolean;
  /** The image in the source environment at the branch head (not used for a rollback). */
  source: ImageReference | undefined;
  /** Git-history evidence of the digest (or the artifact's version) in the source environment (for a rollback: in `toEnv`). */
  evidence: RunEvidence | undefined;
  /**
   * Set when the promotion moves a chart version or a remote base's ref instead of an image: the
   * same checks, asked of the artifact (`digest`, `source` and `target` are then unused).
   */
  artifact?: ArtifactSubject;
  policy: EnvironmentPolicy | undefined;
  locks: readonly LockInfo[];
  actor: string;
  /** Is the actor one of the environment's `promoters`? (lib/auth/membership's one answer) */
  promoter: ListMatch;
  /** Set while the repository's ladder.yaml is invalid: the refusal to show (fails closed). */
  ladderYamlRefusal?: string;
  openPromotion?: OpenPromotionInfo;
  now: Date;
}

/** What the checks ask of an artifact promotion: the artifact on each side, by kind and name. */
export interface ArtifactSubject {
  kind: Artifact["kind"];
  name: string;
  source: Artifact | undefined;
  target: Artifact | undefined;
}

const LABELS: Record<CheckId, string> = {
  "ladder-yaml": "ladder.yaml",
  target: "Target environment",
  "source-env": "Source environment",
  pinned: "Pinned digest",
  pullable: "A reference git pins",
  observed: "Ran in the source environment",
  "ran-before": "Ran here before",
  soak: "Soak time",
  freeze: "Freeze",
  lock: "Locks",
  promoter: "Allowed to promote",
  "already-running": "Not already running",
  "open-promotion": "Open promotions",
  targets: "Targets reached",
  plan: "Minimal edit",
  "in-registry": "In the registry",
  signature: "Signature",
};

export function check(id: CheckId, status: CheckStatus, reason: string, label = LABELS[id]): PolicyCheck {
  return { id, label, status, reason };
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ""}`;
  const days = Math.floor(hours / 24);
  return `${days}d${hours % 24 ? ` ${hours % 24}h` : ""}`;
}

/** A digest in a check's words: short, or "(none)". */
function short(digest: string | null | undefined): string {
  return digest ? shortDigest(digest) : "(none)";
}

function freezeCheck(env: string, policy: EnvironmentPolicy | undefined, now: Date): PolicyCheck {
  const freeze = policy?.freeze ?? false;
  if (freeze === false) return check("freeze", "pass", `${env} is not frozen in ladder.yaml`);
  if (freeze === true) return check("freeze", "fail", `${env} is frozen in ladder.yaml`);
  const until = freeze.until ? Date.parse(freeze.until) : Number.NaN;
  if (!Number.isNaN(until) && until <= now.getTime())
    return check("freeze", "pass", `the ladder.yaml freeze of ${env} ended at ${new Date(until).toISOString()}`);
  const why = freeze.reason ? `: ${freeze.reason}` : "";
  const till = freeze.until ? ` (until ${freeze.until})` : "";
  return check("freeze", "fail", `${env} is frozen in ladder.yaml${why}${till}`);
}

function lockCheck(app: string, env: string, locks: readonly LockInfo[], now: Date): PolicyCheck {
  const active = locks.filter(
    (l) => l.env === env && (l.app === "*" || l.app === app) && (l.expiresAt === null || Date.parse(l.expiresAt) > now.getTime()),
  );
  if (active.length === 0) return check("lock", "pass", `no active lock on ${env}`);
  const described = active
    .map((l) => {
      const scope = l.app === "*" ? env : `${l.app} in ${env}`;
      const until = l.expiresAt ? ` until ${l.expiresAt}` : "";
      return `${scope} locked by ${l.createdBy}${until}: ${l.reason}`;
    })
    .join("; ");
  return check("lock", "fail", described);
}

function promoterCheck(env: string, policy: EnvironmentPolicy | undefined, actor: string, match: ListMatch): PolicyCheck {
  const promoters = policy?.promoters ?? [];
  if (promoters.length === 0) return check("promoter", "pass", `no promoters configured for ${env}: any user may promote`);
  if (match.member)
    return check(
      "promoter",
      "pass",
      match.via === "team" ? `${actor} is in ${match.entry}, a promoter of ${env}` : `${actor} is a promoter of ${env}`,
    );
  return check(
    "promoter",
    "fail",
    `${actor} may not promote to ${env} (promoters: ${promoters.join(", ")})${unreadableNote(match)}`,
  );
}

/**
 * The one value a promotion moves, and how the checks name it: the digest of an image, or the
 * pinned version of an artifact (an unpinned one moves nothing: the pinned check fails).
 */
interface Subject {
  wanted: string | null;
  say: (value: string | null | undefined) => string;
  sourceRuns: string | null | undefined;
  targetRuns: string | null | undefined;
}

function subjectOf(input: PolicyInput): Subject {
  const art = input.artifact;
  if (!art) return { wanted: input.digest, say: short, sourceRuns: input.source?.digest, targetRuns: input.target?.digest };
  return {
    wanted: art.source?.pinned ? art.source.version : null,
    say: (v) => `${artifactLabel(art)} ${v ?? "(no version)"}`,
    sourceRuns: art.source?.version,
    targetRuns: art.target?.version,
  };
}

/** The pinned check of an artifact: one exact version (not a range, a branch, or nothing). */
function artifactPinnedCheck(art: ArtifactSubject, fromEnv: string | undefined): PolicyCheck {
  const label = "Pinned version";
  const what = artifactLabel(art);
  if (!art.source) return check("pinned", "fail", `no version of ${what} to promote`, label);
  if (art.source.pinned) return check("pinned", "pass", `${what} is pinned to ${art.source.version}`, label);
  return check(
    "pinned",
    "fail",
    `${fromEnv} runs ${what} ${art.source.version === null ? "without a version" : `'${art.source.version}'`}: ${art.source.note ?? "not one version"}; only a pinned version is promoted`,
    label,
  );
}

/** Every check, in the order the dialog shows them. Pure. */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const checks: PolicyCheck[] = [];
  const { app, toEnv } = input;
  const subject = subjectOf(input);
  const digest = subject.wanted;
  const art = input.artifact;
  if (input.ladderYamlRefusal !== undefined) checks.push(check("ladder-yaml", "fail", input.ladderYamlRefusal));

  checks.push(
    input.targetExists
      ? check("target", "pass", `${app} is deployed in ${toEnv}`)
      : check(
          "target",
          "fail",
          `${app} has no ${toEnv} environment (or does not deploy ${art ? artifactLabel(art) : "this image"} there)`,
        ),
  );

  if (input.rollback) {
    checks.push(check("source-env", "pass", `rollback: the digest comes from ${toEnv}'s own history`));
  } else if (!input.expectedFrom) {
    checks.push(
      check("source-env", "fail", `${toEnv} is the first environment: nothing feeds it, so nothing is promoted into it`),
    );
  } else if (input.fromEnv !== input.expectedFrom) {
    checks.push(
      check(
        "source-env",
        "fail",
        `${toEnv} is fed by ${input.expectedFrom}, not ${input.fromEnv ?? "(none)"}: promote one rung at a time`,
      ),
    );
  } else if (art ? !art.source : !input.source) {
    checks.push(
      check("source-env", "fail", `${app} does not deploy ${art ? artifactLabel(art) : "this image"} in ${input.expectedFrom}`),
    );
  } else {
    checks.push(check("source-env", "pass", `${toEnv} is fed by ${input.expectedFrom}`));
  }

  const allowTagOnly = input.policy?.allowTagOnly ?? false;
  if (art) {
    checks.push(artifactPinnedCheck(art, input.fromEnv));
  } else if (digest) {
    checks.push(check("pinned", "pass", `pinned to ${short(digest)}`));
  } else if (input.rollback) {
    checks.push(check("pinned", "fail", "a rollback needs the digest to roll back to"));
  } else if (input.source && !input.source.pinned) {
    const tag = input.source.tag ? `:${input.source.tag}` : "";
    checks.push(
      allowTagOnly
        ? check(
            "pinned",
            "warn",
            `${input.fromEnv} runs ${input.source.repository}${tag} without a digest; ladder.yaml allows tag-only references in ${toEnv}`,
          )
        : check(
            "pinned",
            "fail",
            `${input.fromEnv} runs ${input.source.repository}${tag} by tag only: a tag can move, so only a pinned digest is promoted (set allowTagOnly in ladder.yaml to accept tags)`,
          ),
    );
  } else {
    checks.push(check("pinned", "fail", "no digest to promote"));
  }
  // What the scan labels (implicit latest, a placeholder, a malformed digest) is never promoted,
  // whatever else allows it: git does not say which bytes it is.
  const label = !art && !input.rollback ? input.source?.labels?.[0] : undefined;
  if (label && input.source) {
    const fix: Record<ImageLabelKind, string> = {
      "implicit-latest": "pin it by digest",
      placeholder: "a build tool fills it in at deploy time; set the real image by digest",
      "invalid-digest": "no runtime pulls by it; set a sha256 digest",
      "invalid-reference": "fix the reference",
    };
    const ref = input.source.written ?? input.source.repository;
    checks.push(check("pullable", "fail", `${ref} is ${label.text}: ${fix[label.kind]} in ${input.fromEnv} first`));
  }

  const ev = input.evidence;
  const where = input.rollback ? toEnv : (input.fromEnv ?? "the source environment");
  const historyNote = ev ? `${ev.commitsChecked} commit${ev.commitsChecked === 1 ? "" : "s"} of history checked` : "";
  const say = subject.say;
  if (digest) {
    const runsNowByScan = !input.rollback && subject.sourceRuns === digest;
    const observed = (ev?.observed ?? false) || runsNowByScan;
    const id: CheckId = input.rollback ? "ran-before" : "observed";
    if (!observed) {
      checks.push(
        check(
          id,
          "fail",
          input.rollback
            ? `${say(digest)} never ran in ${toEnv} (${historyNote}): a rollback only returns to a digest the environment ran before`
            : `${say(digest)} never ran in ${where} (${historyNote}): Ladder never promotes ${art ? "a version" : "bytes"} the lower environment did not run`,
        ),
      );
    } else if (ev?.since) {
      const since = `${ev.sinceIsLowerBound ? "at least since" : "since"} ${ev.since}`;
      const commit = ev.commit ? ` (commit ${ev.commit.slice(0, 12)})` : "";
      if (ev.runningNow || runsNowByScan) {
        checks.push(check(id, "pass", `${say(digest)} has run in ${where} ${since}${commit}`));
      } else if (input.rollback) {
        checks.push(check(id, "pass", `${say(digest)} ran in ${where} from ${ev.since} until ${ev.until}${commit}`));
      } else {
        checks.push(
          check(
            id,
            "warn",
            `${say(digest)} ran in ${where} from ${ev.since} until ${ev.until}${commit}; ${where} has since moved on to ${say(subject.sourceRuns)}`,
          ),
        );
      }
    } else {
      checks.push(check(id, "pass", `${say(digest)} runs in ${where} at the branch head`));
    }

    const soakMs = input.policy?.soakMs;
    if (input.rollback) {
      checks.push(check("soak", "pass", "not applicable to a rollback"));
    } else if (!soakMs) {
      checks.push(check("soak", "pass", `no soak time configured for ${toEnv}`));
    } else if (!observed) {
      checks.push(check("soak", "fail", `needs ${input.policy?.soak} in ${where} first`));
    } else if (!ev?.since) {
      checks.push(
        check("soak", "fail", `cannot tell from git history since when it runs in ${where}; soak is ${input.policy?.soak}`),
      );
    } else if (ev.ranForMs >= soakMs) {
      checks.push(check("soak", "pass", `ran ${formatDuration(ev.ranForMs)} in ${where}; soak is ${input.policy?.soak}`));
    } else {
      const ready = new Date(Date.parse(ev.since) + soakMs).toISOString();
      checks.push(
        check(
          "soak",
          "fail",
          `has run ${formatDuration(ev.ranForMs)} in ${where}; ${toEnv} requires a soak of ${input.policy?.soak} (ready at ${ready})`,
        ),
      );
    }
  }

  checks.push(freezeCheck(toEnv, input.policy, input.now));
  checks.push(lockCheck(app, toEnv, input.locks, input.now));
  checks.push(promoterCheck(toEnv, input.policy, input.actor, input.promoter));

  if (digest && subject.targetRuns === digest) {
    checks.push(check("already-running", "fail", `${toEnv} is already running ${say(digest)}`));
  } else if (digest) {
    checks.push(check("already-running", "pass", `${toEnv} runs ${say(subject.targetRuns)}`));
  } else if (!art && input.source?.tag && !input.target?.digest && input.target?.tag === input.source.tag) {
    checks.push(check("already-running", "fail", `${toEnv} is already running tag ${input.source.tag}`));
  }

  const open = input.openPromotion;
  if (open) {
    const pr = open.prNumber ? `PR #${open.prNumber}` : "a pull request being opened";
    const openKind = open.kind ?? "image";
    // One slot per app and environment: a pull request moving something else is not superseded by this one.
    const other = art ? openKind !== art.kind || open.image !== art.name : openKind !== "image";
    const same =
      !other &&
      (art
        ? open.digest === null && digest !== null && open.tag === digest
        : open.digest === digest && (digest !== null || open.tag === (input.source?.tag ?? null)));
    const openText = openKind === "image" ? say(open.digest) : `${openKind} ${open.image ?? ""} ${open.tag ?? ""}`.trim();
    if (other) {
      checks.push(
        check(
          "open-promotion",
          "fail",
          `${pr} promotes ${openText} of ${app} to ${toEnv}; one promotion per app and environment is open at a time: merge or close it first`,
        ),
      );
    } else if (same) {
      checks.push(check("open-promotion", "pass", `already open as ${pr}: confirming returns it`));
    } else if (open.status === "PENDING") {
      checks.push(
        check(
          "open-promotion",
          "fail",
          `another promotion of ${app} to ${toEnv} (${art ? say(open.tag) : say(open.digest)}) is being opened; try again shortly`,
        ),
      );
    } else {
      checks.push(
        check(
          "open-promotion",
          "warn",
          `supersedes ${pr} (${art ? say(open.tag) : say(open.digest)}), which will be closed with a comment`,
        ),
      );
    }
  }

  return { allowed: !checks.some((c) => c.status === "fail"), checks };
}

/**
 * Per-environment policies for an app: ladder.yaml's when present, defaults otherwise. The
 * feeding environment is `from` when ladder.yaml names it, else the nearest lower rung where
 * the app exists.
 */
export function policyFor(
  scan: ScanResult,
  app: string,
  env: string,
): { policy: EnvironmentPolicy; expectedFrom: string | undefined } {
  const config: LadderConfig | undefined = scanContext(scan)?.config;
  const appResult = scan.apps.find((a) => a.name === app);
  const order = scan.environments;
  const idx = order.indexOf(env);
  const nearestLower = order
    .slice(0, Math.max(idx, 0))
    .reverse()
    .find((e) => appResult?.environments[e] !== undefined);
  const explicitFrom = config?.environments
    .map((e) => (typeof e === "string" ? undefined : e.name === env ? e.from : undefined))
    .find((f) => f !== undefined);
  const configured = config ? environmentPolicies(config).find((p) => p.name === env) : undefined;
  const policy: EnvironmentPolicy = configured ?? {
    name: env,
    from: nearestLower,
    allowedDrift: [],
    freeze: false,
    promoters: [],
    lockers: [],
    allowTagOnly: false,
  };
  return { policy, expectedFrom: explicitFrom ?? (idx > 0 ? nearestLower : undefined) };
}
