/**
 * The words of a promotion: branch name, commit message and pull request text. Pure, so the
 * format is tested without GitHub. The branch name is the idempotency key across clicks and
 * replicas: (app, environment, digest) → one branch → at most one open PR.
 */
import { createHash } from "node:crypto";
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

/** What an environment runs of one image: the digest names the bytes, the tag is what people read. */
export interface PromotedReference {
  digest: string | null;
  tag: string | null;
}

/** One app's part of a promotion: one file of the target environment changes. */
export interface PromotionChange {
  app: string;
  /** Image repository, e.g. ghcr.io/acme/api. */
  image?: string;
  /** Set when a chart version or a remote base's ref moves instead of an image (its version in `tag`). */
  artifact?: { kind: "chart" | "remote-base"; name: string };
  /** What the target environment ran (both null when it had nothing pinned). */
  from: PromotedReference;
  /** What it will run: the source environment's reference. */
  to: PromotedReference;
  path: string;
  /** Unified diff of `path`. */
  diff: string;
  evidence: readonly PromotionEvidence[];
  /** Registry evidence as Markdown list items (lib/registry `registryEvidenceMarkdown`); absent: none gathered. */
  registry?: readonly string[];
}

export interface PromotionDescription {
  fromEnv: string;
  toEnv: string;
  /** One change for a promotion of its own; several (one per app) for a bundle. */
  changes: readonly PromotionChange[];
  /** Set for a bundle: the promotions opened together in this pull request. */
  bundleId?: string;
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

/** The 12 characters a branch name carries for a reference: the digest's hex, or `t` and a hash of a lone tag. */
function referencePart(ref: PromotedReference): string {
  if (ref.digest) return refSafe(shortDigest(ref.digest, { algorithm: false }));
  if (ref.tag) return `t${createHash("sha256").update(ref.tag).digest("hex").slice(0, 11)}`;
  throw new Error("a promotion moves a digest or a tag");
}

/** `ladder/<app>/<env>/<digest12>` (a tag-only promotion: `t` + 11 hex of the tag's hash). */
export function promotionBranchName(app: string, environment: string, ref: PromotedReference | string): string {
  const r = typeof ref === "string" ? { digest: ref, tag: null } : ref;
  return `ladder/${refSafe(app)}/${refSafe(environment)}/${referencePart(r)}`;
}

/**
 * `ladder-bundle/<env>/<hash12>`, the hash over the sorted app=reference pairs: the same set of
 * changes always gets the same branch, so a double click or a second replica finds the same PR.
 */
export function bundleBranchName(environment: string, changes: readonly { app: string; to: PromotedReference }[]): string {
  const key = changes
    .map((c) => `${c.app}=${c.to.digest ?? ""}:${c.to.tag ?? ""}`)
    .sort()
    .join("\n");
  return `ladder-bundle/${refSafe(environment)}/${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

/**
 * What a branch name is derived from: the reference, or for a chart or remote base its kind, name
 * and version (so a chart at 1.2.0 and an image tagged 1.2.0 never share a branch).
 */
export function branchReference(c: Pick<PromotionChange, "artifact" | "to">): PromotedReference {
  if (!c.artifact) return c.to;
  return { digest: null, tag: `${c.artifact.kind}:${c.artifact.name}@${c.to.tag ?? ""}` };
}

/** The branch of a description: a bundle's, or the one change's own. */
export function branchOf(d: Pick<PromotionDescription, "toEnv" | "changes" | "bundleId">): string {
  const only = d.changes[0];
  if (!d.bundleId && d.changes.length === 1 && only) return promotionBranchName(only.app, d.toEnv, branchReference(only));
  return bundleBranchName(d.toEnv, d.changes);
}

const PROMOTION_BRANCH = /^ladder\/[a-z0-9._-]+\/[a-z0-9._-]+\/[a-z0-9._-]{1,12}$/;
const BUNDLE_BRANCH = /^ladder-bundle\/[a-z0-9._-]+\/[0-9a-f]{12}$/;

/** Whether a branch name has the shape `promotionBranchName` or `bundleBranchName` gives (so its PR is Ladder's). */
export function isPromotionBranchName(branch: string): boolean {
  return PROMOTION_BRANCH.test(branch) || BUNDLE_BRANCH.test(branch);
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

/** `1.3.0 (0123456789ab)`, `0123456789ab`, `1.3.0`, or `none`: a reference as a title shows it. */
export function referenceText(ref: PromotedReference): string {
  const digest = ref.digest ? shortDigest(ref.digest, { algorithm: false }) : undefined;
  if (ref.tag && digest) return `${ref.tag} (${digest})`;
  return ref.tag ?? digest ?? "none";
}

/** `1.3.0@sha256:…` in full, for the body's table. */
function fullReference(ref: PromotedReference): string {
  if (!ref.digest && !ref.tag) return "(none)";
  return `${ref.tag ?? ""}${ref.tag && ref.digest ? "@" : ""}${ref.digest ?? ""}`;
}

function appsList(changes: readonly PromotionChange[]): string {
  const apps = changes.map((c) => c.app);
  return apps.length <= 4 ? apps.join(", ") : `${apps.slice(0, 3).join(", ")} and ${apps.length - 3} more`;
}

/** `chart podinfo`, `remote base https://…`: how the words name an artifact. */
function artifactWords(a: NonNullable<PromotionChange["artifact"]>): string {
  return `${a.kind === "chart" ? "chart" : "remote base"} ${a.name}`;
}

export function promotionTitle(d: PromotionDescription): string {
  const only = d.changes[0];
  if (d.changes.length === 1 && only)
    return `Promote ${only.app} to ${d.toEnv}: ${only.artifact ? `${artifactWords(only.artifact)} ` : ""}${referenceText(only.from)} → ${referenceText(only.to)}`;
  return `Promote ${d.changes.length} apps to ${d.toEnv}: ${appsList(d.changes)}`;
}

export function promotionCommitMessage(d: PromotionDescription): string {
  const lines = d.changes.map((c) =>
    c.artifact
      ? `${d.changes.length > 1 ? `${c.app}: ` : ""}${c.artifact.kind === "chart" ? "Chart" : "Remote-Base"}: ${c.artifact.name} ${c.to.tag ?? ""}`.trim()
      : `${d.changes.length > 1 ? `${c.app}: ` : ""}${c.to.tag ? `Tag: ${c.to.tag} ` : ""}${c.to.digest ? `Digest: ${c.to.digest}` : ""}`.trim(),
  );
  const files = d.changes.map((c) => c.path).join(", ");
  return `${promotionTitle(d)}\n\nFrom ${d.fromEnv}; edits ${files} only.\n${lines.join("\n")}\n${d.bundleId ? `Ladder-Bundle: ${d.bundleId}\n` : ""}\nPromoted-by: ${d.actor}\n`;
}

// GitHub rejects PR bodies over 65,536 characters; keep room for the rest of the text.
const MAX_DIFF_CHARS = 50_000;

function evidenceLines(c: PromotionChange): string {
  if (c.evidence.length === 0) return `- No environment has recorded this ${c.artifact ? "version" : "digest"} yet.`;
  return c.evidence
    .map((e) => {
      const since = e.since ? ` since ${e.since}` : "";
      const commit = e.commit ? ` (commit ${e.commit.slice(0, 12)})` : "";
      return `- **${e.environment}**: running \`${fullReference(c.to)}\`${since}${commit}`;
    })
    .join("\n");
}

function fenced(diff: string): string[] {
  // A fence longer than any backtick run in the diff cannot be closed by the diff itself.
  const fence = "`".repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`${fence}diff`, diff.replace(/\n$/, ""), fence];
}

export function promotionBody(d: PromotionDescription): string {
  const bundle = d.changes.length > 1 || d.bundleId !== undefined;
  const budget = Math.floor(MAX_DIFF_CHARS / Math.max(1, d.changes.length));
  const diffOf = (c: PromotionChange) => (c.diff.length > budget ? `${c.diff.slice(0, budget)}\n… (diff truncated)` : c.diff);
  const table = (c: PromotionChange) => [
    "| | |",
    "|---|---|",
    ...(c.image ? [`| Image | \`${c.image}\` |`] : []),
    ...(c.artifact ? [`| ${c.artifact.kind === "chart" ? "Chart" : "Remote base"} | \`${c.artifact.name}\` |`] : []),
    `| From | \`${fullReference(c.from)}\` |`,
    `| To | \`${fullReference(c.to)}\` |`,
    `| File | \`${c.path}\` |`,
  ];
  const head = bundle
    ? [
        `Promotes **${d.changes.length} apps** from **${d.fromEnv}** to **${d.toEnv}** in one change: ${d.changes.map((c) => `**${c.app}**`).join(", ")}.`,
        ...(d.bundleId ? ["", `Ladder-Bundle: ${d.bundleId}`] : []),
      ]
    : [`Promotes **${d.changes[0]?.app ?? ""}** from **${d.fromEnv}** to **${d.toEnv}**.`];
  // A paragraph of its own: visible on GitHub, and one whole line for parseAuditAnchor. A single
  // promotion's sits under its evidence; a bundle's under the list of apps, above the sections.
  const anchor = d.anchor ? [formatAuditAnchor(d.anchor), ""] : [];
  const sections = d.changes.flatMap((c) => [
    ...(bundle ? [`## ${c.app}`, ""] : []),
    ...table(c),
    "",
    "### Evidence",
    evidenceLines(c),
    "",
    ...(c.registry?.length ? ["### Registry", ...c.registry, ""] : []),
    ...(bundle ? [] : anchor),
    "### Diff",
    ...fenced(diffOf(c)),
    "",
  ]);
  return [...head, "", ...(bundle ? anchor : []), ...sections, `Promoted-by: ${d.actor}`, ""].join("\n");
}
