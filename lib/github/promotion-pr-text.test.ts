import { describe, expect, it } from "vitest";
import {
  type PromotionDescription,
  promotionBody,
  promotionBranchName,
  promotionCommitMessage,
  promotionTitle,
  shortDigest,
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
    expect(shortDigest("0123456789abcdef")).toBe("0123456789ab");
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
