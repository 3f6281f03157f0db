/**
 * The words of a promotion: branch name, commit message and pull request text. Pure, so the
 * format is tested without GitHub. The branch name is the idempotency key across clicks and
 * replicas: (app, environment, digest) → one branch → at most one open PR.
 */

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

/** First 12 hex characters of a digest, without the algorithm. */
export function shortDigest(digest: string): string {
  const hex = digest.includes(":") ? digest.slice(digest.indexOf(":") + 1) : digest;
  return refSafe(hex).slice(0, 12);
}

/** `ladder/<app>/<env>/<digest12>` */
export function promotionBranchName(app: string, environment: string, digest: string): string {
  return `ladder/${refSafe(app)}/${refSafe(environment)}/${shortDigest(digest)}`;
}

export function promotionTitle(d: PromotionDescription): string {
  const from = d.oldDigest ? shortDigest(d.oldDigest) : "none";
  return `Promote ${d.app} to ${d.toEnv}: ${from} → ${shortDigest(d.newDigest)}`;
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
    "### Diff",
    `${fence}diff`,
    diff.replace(/\n$/, ""),
    fence,
    "",
    `Promoted-by: ${d.actor}`,
    "",
  ].join("\n");
}
