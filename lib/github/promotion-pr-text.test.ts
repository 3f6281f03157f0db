import { describe, expect, it } from "vitest";
import {
  formatAuditAnchor,
  isPromotionBranchName,
  type PromotionDescription,
  parseAuditAnchor,
  promotionBody,
  promotionBranchName,
  promotionCommitMessage,
  promotionTitle,
} from "./promotion-pr-text";

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const description: PromotionDescription = {
  app: "api",
  fromEnv: "staging",
  toEnv: "prod",
  image: "ghcr.io/acme/api",
  oldDigest: "sha256:ffffffffffff0000000000000000000000000000000000000000000000000000",
  newDigest: digest,
  path: "apps/api/overlays/prod/kustomization.yaml",
  evidence: [{ environment: "staging", since: "2025-03-01T10:00:00Z", commit: "abcdef0123456789abcdef0123456789abcdef01" }],
  diff: "-    digest: sha256:ffff\n+    digest: sha256:0123\n",
  actor: "alice",
};

describe("promotion text", () => {
  it("derives the branch from app, environment and a 12-character digest", () => {
    expect(promotionBranchName("api", "prod", digest)).toBe("ladder/api/prod/0123456789ab");
  });

  it("keeps branch names ref-safe", () => {
    expect(promotionBranchName("My App..x", "Prod~1", digest)).toBe("ladder/my-app.x/prod-1/0123456789ab");
    expect(promotionBranchName("a.lock", "env", digest)).toBe("ladder/a-lock/env/0123456789ab");
  });

  it("titles with old → new short digests", () => {
    expect(promotionTitle(description)).toBe("Promote api to prod: ffffffffffff → 0123456789ab");
    expect(promotionTitle({ ...description, oldDigest: null })).toContain("none → 0123456789ab");
  });

  it("carries evidence, the diff and the Promoted-by trailer", () => {
    const body = promotionBody(description);
    expect(body).toContain("**staging**: running `sha256:0123");
    expect(body).toContain("since 2025-03-01T10:00:00Z (commit abcdef012345)");
    expect(body).toContain("```diff\n-    digest: sha256:ffff\n+    digest: sha256:0123\n```");
    expect(body.trimEnd().endsWith("Promoted-by: alice")).toBe(true);
    expect(promotionCommitMessage(description)).toMatch(/\n\nPromoted-by: alice\n$/);
  });

  it("uses a longer fence when the diff contains backticks", () => {
    const body = promotionBody({ ...description, diff: "+ a: ```x```\n" });
    expect(body).toContain("````diff");
  });
});

describe("audit anchor", () => {
  const hash = "a".repeat(64);
  const anchor = { eventId: "42", hash };

  it("writes one visible line in the evidence section and reads it back", () => {
    const body = promotionBody({ ...description, anchor });
    expect(body).toContain(`### Evidence\n- **staging**`);
    expect(body).toContain(`\n\nLadder-Audit-Anchor: 42:${hash}\n\n### Diff`);
    expect(parseAuditAnchor(body)).toEqual({ kind: "anchor", anchor });
    // GitHub stores a body edited in its web UI with CRLF line ends.
    expect(parseAuditAnchor(body.replaceAll("\n", "\r\n"))).toEqual({ kind: "anchor", anchor });
  });

  it("finds none in a body without one", () => {
    expect(parseAuditAnchor(promotionBody(description))).toEqual({ kind: "none" });
    expect(parseAuditAnchor(null)).toEqual({ kind: "none" });
    expect(parseAuditAnchor("")).toEqual({ kind: "none" });
  });

  it("ignores anchor-looking lines inside the diff, even ones that try to close the fence", () => {
    const forged = `Ladder-Audit-Anchor: 7:${"b".repeat(64)}`;
    const body = promotionBody({ ...description, anchor, diff: `+ x\n\`\`\`\n${forged}\n` });
    expect(body).toContain(forged);
    expect(parseAuditAnchor(body)).toEqual({ kind: "anchor", anchor });
    expect(parseAuditAnchor(promotionBody({ ...description, diff: `${forged}\n` }))).toEqual({ kind: "none" });
  });

  it("calls a malformed anchor or two different ones invalid", () => {
    expect(parseAuditAnchor(`Ladder-Audit-Anchor: 42:${hash.slice(1)}`)).toMatchObject({ kind: "invalid" });
    expect(parseAuditAnchor(`Ladder-Audit-Anchor: 42:${hash.toUpperCase()}`)).toMatchObject({ kind: "invalid" });
    expect(parseAuditAnchor(`Ladder-Audit-Anchor: 042:${hash}`)).toMatchObject({ kind: "invalid" });
    const two = `${formatAuditAnchor(anchor)}\n\n${formatAuditAnchor({ eventId: "43", hash })}`;
    expect(parseAuditAnchor(two)).toEqual({ kind: "invalid", reason: "two different anchors (event #42 and #43)" });
    // The same anchor twice says one thing.
    expect(parseAuditAnchor(`${formatAuditAnchor(anchor)}\n${formatAuditAnchor(anchor)}`)).toEqual({ kind: "anchor", anchor });
  });

  it("refuses to write an anchor that would not parse", () => {
    expect(() => formatAuditAnchor({ eventId: "4 2", hash })).toThrow(/Not an audit anchor/);
    expect(() => formatAuditAnchor({ eventId: "42", hash: "genesis" })).toThrow(/Not an audit anchor/);
  });

  it("recognises promotion branch names", () => {
    expect(isPromotionBranchName(promotionBranchName("My App", "prod", digest))).toBe(true);
    expect(isPromotionBranchName("ladder/api/prod")).toBe(false);
    expect(isPromotionBranchName("feature/ladder/api/prod/0123456789ab")).toBe(false);
    expect(isPromotionBranchName("ladder/api/prod/0123456789abc")).toBe(false);
  });
});
