import { describe, expect, it, vi } from "vitest";
import { environmentPolicies, parseLadderConfig } from "../../lib/gitops/ladder-config";
import { MISSING_BUILD, SAMPLE_BUILDS, sampleImageDigest, UNSIGNED_BUILD } from "./sample-images";
import { sampleDigest, sampleRepoCommits } from "./sample-repo";

vi.mock("../../local-registry/distribution", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../local-registry/distribution")>()),
  missingRegistryTools: () => ["docker-registry", "skopeo"],
}));

/** Every file as the last commit touching it leaves it. */
function finalTree(): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const c of sampleRepoCommits(new Date("2026-02-01T00:00:00Z")))
    for (const [file, content] of Object.entries(c.files)) {
      if (content === null) delete tree[file];
      else tree[file] = content;
    }
  return tree;
}

describe("the sample repository and the demo registry", () => {
  it("pins the demo registry's image digests", () => {
    expect(sampleDigest("api", 3)).toBe(sampleImageDigest("api", 3));
    const pinned = new Set(
      Object.values(finalTree()).flatMap((text) => [...text.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0])),
    );
    const built = new Map(SAMPLE_BUILDS.map((b) => [sampleImageDigest(b.app, b.build), b]));
    // Every digest the repository pins is one the demo builds: signed, the unsigned one, or the one never pushed.
    for (const digest of pinned) expect(built.has(digest), digest).toBe(true);
    for (const b of [UNSIGNED_BUILD, MISSING_BUILD, { app: "api", build: 3 }])
      expect(pinned.has(sampleImageDigest(b.app, b.build)), `${b.app} ${b.build}`).toBe(true);
  });

  it("requires the demo key's signature in staging, and names the key's variable", () => {
    const parsed = parseLadderConfig(finalTree()["ladder.yaml"] ?? "");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.config.signing?.keys).toEqual([{ name: "demo-release", publicKeyEnv: "LADDER_SIGNING_KEY_DEMO" }]);
    const policies = environmentPolicies(parsed.config);
    expect(policies.find((p) => p.name === "staging")?.requireSignature).toBe("demo-release");
    expect(policies.find((p) => p.name === "prod")?.requireSignature).toBeUndefined();
  });

  it("without the demo registry, staging does not require a signature (nothing could be verified: every promotion would be refused)", () => {
    let tree: Record<string, string> = {};
    for (const c of sampleRepoCommits(new Date("2026-02-01T00:00:00Z"), { requireSignature: false }))
      tree = {
        ...tree,
        ...(Object.fromEntries(Object.entries(c.files).filter(([, v]) => v !== null)) as Record<string, string>),
      };
    const parsed = parseLadderConfig(tree["ladder.yaml"] ?? "");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(environmentPolicies(parsed.config).find((p) => p.name === "staging")?.requireSignature).toBeUndefined();
    expect(tree["ladder.yaml"]).toContain("# requireSignature: demo-release");
  });

  it("starts with registry evidence off, saying how to turn it on, where docker-registry and skopeo are missing", async () => {
    const { startDemoRegistry } = await import("./registry");
    const off = await startDemoRegistry("/nonexistent/ladder-demo");
    expect(off).toEqual({
      state: "off",
      reason: expect.stringMatching(
        /^registry evidence is off: docker-registry and skopeo are not installed \(apt-get install -y docker-registry skopeo/,
      ),
      env: { LADDER_REGISTRIES: "off" },
    });
  });
});
