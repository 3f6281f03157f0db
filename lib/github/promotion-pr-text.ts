/**
 * The words of a promotion: branch name, commit message and pull request text. Pure, so the
 * format is tested without GitHub. The branch name is the idempotency key across clicks and
 * replicas: (app, environment, digest) → one branch → at most one open PR.
 */
import { shortDigest } from "../gitops/image-ref";

export interface PromotionEvidence {
  /** Environment where the digest runs (or ran). */
  environment: string;
  /** ISO-8601 time it has run there since, when known. */
  since?: string;
  /** Commit that put it there. */
  commit?: string;
  url?: string;
}

export interface PromotionDescription {
  app: string;
  fromEnv: string;
  toEnv: string;
  /** Image repository, e.g. ghcr.io/acme/api. */
  image?: string;
  /** Digest being replaced in the target environment (null when it had none). */
  oldDigest: string | null;
  newDigest: string;
  path: string;
  evidence: readonly PromotionEvidence[];
  /** Unified diff of the target file. */
  diff: string;
  /** Person who asked for the promotion, recorded as a commit trailer. */
  actor: string;
  /**
   * Where the audit chain stood when this promotion was requested: written into the PR body,
   * outside Ladder's database, so `ladder audit verify` can notice a deleted or rewritten tail.
   */
  anchor?: AuditAnchor;
}

/** One point of the audit chain: an event id (decimal) and that event's hash (64 hex). */
export interface AuditAnchor {
  eventId: string;
  hash: string;
}

/** Keeps names ref-safe: git forbids spaces, "..", "~^:?*[\" and more in ref names. */
function refSafe(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/\.{2,}/g, ".")
      .replace(/^[-.]+|[-.]+$/g, "")
      .replace(/\.lock$/, "-lock") || "x"
  );
}

/** `ladder/<app>/<env>/<digest12>` */
export function promotionBranchName(app: string, environment: string, digest: string): string {
  return `ladder/${refSafe(app)}/${refSafe(environment)}/${refSafe(shortDigest(digest, { algorithm: false }))}`;
}

const PROMOTION_BRANCH = /^ladder\/[a-z0-9._-]+\/[a-z0-9._-]+\/[a-z0-9._-]{1,12}$/;

/** Whether a branch name has the shape `promotionBranchName` gives (so its PR is Ladder's). */
export function isPromotionBranchName(branch: string): boolean {
  return PROMOTION_BRANCH.test(branch);
}

const ANCHOR_KEY = "Ladder-Audit-Anchor";
const ANCHOR_LINE = /^Ladder-Audit-Anchor: ([1-9][0-9]{0,18}):([0-9a-f]{64})$/;

/** `Ladder-Audit-Anchor: <event id>:<sha256 hex>`, a line of its own in the PR body. */
export function formatAuditAnchor(anchor: AuditAnchor): string {
  const line = `${ANCHOR_KEY}: ${anchor.eventId}:${anchor.hash}`;
  if (!ANCHOR_LINE.test(line)) throw new Error(`Not an audit anchor: event ${anchor.eventId}, hash ${anchor.hash}`);
  return line;
}

export type ParsedAuditAnchor =
  | { kind: "none" }
  | { kind: "anchor"; anchor: AuditAnchor }
  /** The body names an anchor Ladder could not have written (edited, or several that disagree). */
  | { kind: "invalid"; reason: string };

/**
 * The anchor in a PR body. Only whole lines outside fenced code count, so text from the
 * repository (the diff, which sits in a fence longer than any backtick run in it) cannot
 * pose as one; a second, different anchor makes the body invalid rather than ambiguous.
 */
export function parseAuditAnchor(body: string | null | undefined): ParsedAuditAnchor {
  if (!body) return { kind: "none" };
  let fence: string | undefined;
  let found: AuditAnchor | undefined;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      // CommonMark: a closing fence is the same character, at least as long, and nothing else.
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    if (!line.startsWith(ANCHOR_KEY)) continue;
    const m = ANCHOR_LINE.exec(line);
    if (!m?.[1] || !m[2]) return { kind: "invalid", reason: `malformed anchor line "${line.slice(0, 120)}"` };
    const anchor = { eventId: m[1], hash: m[2] };
    if (found && (found.eventId !== anchor.eventId || found.hash !== anchor.hash))
      return { kind: "invalid", reason: `two different anchors (event #${found.eventId} and #${anchor.eventId})` };
    found = anchor;
  }
  return found ? { kind: "anchor", anchor: found } : { kind: "none" };
}

export function promotionTitle(d: PromotionDescription): string {
  const from = d.oldDigest ? shortDigest(d.oldDigest, { algorithm: false }) : "none";
  return `Promote ${d.app} to ${d.toEnv}: ${from} → ${shortDigest(d.newDigest, { algorithm: false })}`;
}

export function promotionCommitMessage(d: PromotionDescription): string {
  return `${promotionTitle(d)}\n\nFrom ${d.fromEnv}; edits ${d.path} only.\nDigest: ${d.newDigest}\n\nPromoted-by: ${d.actor}\n`;
}

// GitHub rejects PR bodies over 65,536 characters; keep room for the rest of the text.
const MAX_DIFF_CHARS = 50_000;

export function promotionBody(d: PromotionDescription): string {
  const evidence =
    d.evidence.length === 0
      ? "- No environment has recorded this digest yet."
      : d.evidence
          .map((e) => {
            const since = e.since ? ` since ${e.since}` : "";
            const commit = e.commit ? ` (commit ${e.commit.slice(0, 12)})` : "";
            return `- **${e.environment}**: running \`${d.newDigest}\`${since}${commit}`;
          })
          .join("\n");
  const diff = d.diff.length > MAX_DIFF_CHARS ? `${d.diff.slice(0, MAX_DIFF_CHARS)}\n… (diff truncated)` : d.diff;
  // A fence longer than any backtick run in the diff cannot be closed by the diff itself.
  const fence = "`".repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [
    `Promotes **${d.app}** from **${d.fromEnv}** to **${d.toEnv}**.`,
    "",
    "| | |",
    "|---|---|",
    ...(d.image ? [`| Image | \`${d.image}\` |`] : []),
    `| From | \`${d.oldDigest ?? "(none)"}\` |`,
    `| To | \`${d.newDigest}\` |`,
    `| File | \`${d.path}\` |`,
    "",
    "### Evidence",
    evidence,
    "",
    // A paragraph of its own: visible on GitHub, and one whole line for parseAuditAnchor.
    ...(d.anchor ? [formatAuditAnchor(d.anchor), ""] : []),
    "### Diff",
    `${fence}diff`,
    diff.replace(/\n$/, ""),
    fence,
    "",
    `Promoted-by: ${d.actor}`,
    "",
  ].join("\n");
}
