import { describe, expect, it } from "vitest";
import {
  bundleBranchName,
  formatAuditAnchor,
  isPromotionBranchName,
  type PromotionChange,
  type PromotionDescription,
  parseAuditAnchor,
  promotionBody,
  promotionBranchName,
  promotionCommitMessage,
  promotionTitle,
} from "./promotion-pr-text";

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const oldDigest = "sha256:ffffffffffff0000000000000000000000000000000000000000000000000000";
const change: PromotionChange = {
  app: "api",
  image: "ghcr.io/acme/api",
  from: { digest: oldDigest, tag: "1.2.0" },
  to: { digest, tag: "1.3.0" },
  path: "apps/api/overlays/prod/kustomization.yaml",
  evidence: [{ environment: "staging", since: "2025-03-01T10:00:00Z", commit: "abcdef0123456789abcdef0123456789abcdef01" }],
  diff: "-    digest: sha256:ffff\n+    digest: sha256:0123\n",
};
const description: PromotionDescription = { fromEnv: "staging", toEnv: "prod", changes: [change], actor: "alice" };
/** The description with its one change patched. */
const withChange = (patch: Partial<PromotionChange>, d: Partial<PromotionDescription> = {}): PromotionDescription => ({
  ...description,
  ...d,
  changes: [{ ...change, ...patch }],
});

describe("promotion text", () => {
  it("derives the branch from app, environment and a 12-character digest", () => {
    expect(promotionBranchName("api", "prod", digest)).toBe("ladder/api/prod/0123456789ab");
  });

  it("keeps branch names ref-safe", () => {
    expect(promotionBranchName("My App..x", "Prod~1", digest)).toBe("ladder/my-app.x/prod-1/0123456789ab");
    expect(promotionBranchName("a.lock", "env", digest)).toBe("ladder/a-lock/env/0123456789ab");
  });

  it("titles with old → new tag and short digest", () => {
    expect(promotionTitle(description)).toBe("Promote api to prod: 1.2.0 (ffffffffffff) → 1.3.0 (0123456789ab)");
    expect(promotionTitle(withChange({ from: { digest: null, tag: null } }))).toContain("none → 1.3.0 (0123456789ab)");
    expect(promotionTitle(withChange({ to: { digest: null, tag: "1.4.0" } }))).toContain("→ 1.4.0");
  });

  it("names a tag-only promotion's branch by a hash of the tag", () => {
    const branch = promotionBranchName("api", "prod", { digest: null, tag: "1.4.0" });
    expect(branch).toMatch(/^ladder\/api\/prod\/t[0-9a-f]{11}$/);
    expect(isPromotionBranchName(branch)).toBe(true);
    expect(promotionBranchName("api", "prod", { digest: null, tag: "1.4.1" })).not.toBe(branch);
  });

  it("words a bundle: one title for all apps, a section per app, the bundle id", () => {
    const web: PromotionChange = {
      ...change,
      app: "web",
      image: "ghcr.io/acme/web",
      path: "apps/web/overlays/prod/kustomization.yaml",
    };
    const bundle: PromotionDescription = { ...description, changes: [change, web], bundleId: "b-1" };
    expect(promotionTitle(bundle)).toBe("Promote 2 apps to prod: api, web");
    const body = promotionBody(bundle);
    expect(body).toContain("## api");
    expect(body).toContain("## web");
    expect(body).toContain("| To | `1.3.0@sha256:0123456789abcdef");
    expect(body).toContain("Ladder-Bundle: b-1");
    expect(promotionCommitMessage(bundle)).toContain(
      "edits apps/api/overlays/prod/kustomization.yaml, apps/web/overlays/prod/kustomization.yaml only.",
    );
    // The branch is the set of changes: the same set in another order is the same branch.
    const branch = bundleBranchName("prod", [change, web]);
    expect(bundleBranchName("prod", [web, change])).toBe(branch);
    expect(isPromotionBranchName(branch)).toBe(true);
    expect(bundleBranchName("prod", [change, { ...web, to: { digest: oldDigest, tag: "1.2.0" } }])).not.toBe(branch);
  });

  it("carries evidence, the diff and the Promoted-by trailer", () => {
    const body = promotionBody(description);
    expect(body).toContain("**staging**: running `1.3.0@sha256:0123");
    expect(body).toContain("since 2025-03-01T10:00:00Z (commit abcdef012345)");
    expect(body).toContain("```diff\n-    digest: sha256:ffff\n+    digest: sha256:0123\n```");
    expect(body.trimEnd().endsWith("Promoted-by: alice")).toBe(true);
    expect(promotionCommitMessage(description)).toMatch(/\n\nPromoted-by: alice\n$/);
  });

  it("prints the registry evidence in its own section after the evidence, and none without it", () => {
    const registry = [
      "- **Registry**: `ghcr.io/acme/api@sha256:0123`: found, an image (linux/amd64)",
      "- **Signature**: signed by `release` (cosign)",
    ];
    const body = promotionBody(withChange({ registry }, { anchor: { eventId: "42", hash: "a".repeat(64) } }));
    expect(body).toContain(`### Evidence\n- **staging**: running`);
    expect(body).toContain(`(commit abcdef012345)\n\n### Registry\n${registry.join("\n")}\n\nLadder-Audit-Anchor: 42:`);
    expect(body.indexOf("### Registry")).toBeLessThan(body.indexOf("### Diff"));
    expect(parseAuditAnchor(body)).toMatchObject({ kind: "anchor" });
    expect(promotionBody(description)).not.toContain("### Registry");
    expect(promotionBody(withChange({ registry: [] }))).not.toContain("### Registry");
  });

  it("uses a longer fence when the diff contains backticks", () => {
    const body = promotionBody(withChange({ diff: "+ a: ```x```\n" }));
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
    const body = promotionBody(withChange({ diff: `+ x\n\`\`\`\n${forged}\n` }, { anchor }));
    expect(body).toContain(forged);
    expect(parseAuditAnchor(body)).toEqual({ kind: "anchor", anchor });
    expect(parseAuditAnchor(promotionBody(withChange({ diff: `${forged}\n` })))).toEqual({ kind: "none" });
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
