import { describe, expect, it } from "vitest";
import { FileStore } from "./file-store";
import { buildKustomization } from "./kustomize-build";
import { memorySnapshot } from "./memory-snapshot";
import { compileTargetRegex, targetRegexMatches } from "./target-regex";

describe("targetRegexMatches: Kustomize's anchored RE2 semantics", () => {
  it("anchors the whole value, as Kustomize's ^(?:…)$ does", () => {
    expect(targetRegexMatches("api", "api")).toBe(true);
    expect(targetRegexMatches("api", "api-v2")).toBe(false);
    expect(targetRegexMatches("api", "my-api")).toBe(false);
    // Go's $ without (?m) is end of text only, not before a final newline.
    expect(targetRegexMatches("api", "api\n")).toBe(false);
  });

  it("anchors around the whole alternation, not its first branch", () => {
    expect(targetRegexMatches("api|web", "web")).toBe(true);
    expect(targetRegexMatches("api|web", "api")).toBe(true);
    expect(targetRegexMatches("api|web", "web-v2")).toBe(false);
    expect(targetRegexMatches("api|web", "api-v2")).toBe(false);
  });

  it("supports character classes and repetition", () => {
    expect(targetRegexMatches("api-v[0-9]+", "api-v12")).toBe(true);
    expect(targetRegexMatches("api-v[0-9]+", "api-vx")).toBe(false);
    expect(targetRegexMatches("Deploy.*", "Deployment")).toBe(true);
    expect(targetRegexMatches("\\d{2}", "42")).toBe(true);
  });

  it("an invalid pattern is reported and matches nothing, not even itself", () => {
    const bad = compileTargetRegex("(api");
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining("missing closing )") });
    expect(targetRegexMatches("(api", "(api")).toBe(false);
    expect(targetRegexMatches("(api", "api")).toBe(false);
  });

  it("rejects what Go's regexp rejects: lookarounds and backreferences", () => {
    expect(compileTargetRegex("ap(?=i)").ok).toBe(false);
    expect(compileTargetRegex("(a)\\1").ok).toBe(false);
  });

  it("compiles each pattern once", () => {
    expect(compileTargetRegex("cached-[a-z]+")).toBe(compileTargetRegex("cached-[a-z]+"));
  });
});

const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n`;

/**
 * The same kustomization `kubectl kustomize` (Kustomize 5.5) was run on: it put `exact` on api only,
 * `alt` on api and web, and `class` on api-v2 only.
 */
describe("buildKustomization: regex patch targets agree with Kustomize", () => {
  it("applies name, kind, alternation and class targets to the resources Kustomize patches", async () => {
    const snap = memorySnapshot({
      "app/kustomization.yaml": [
        "resources: [api.yaml, api-v2.yaml, web.yaml]",
        "patches:",
        "  - target: {kind: Deployment, name: api}",
        `    patch: '[{"op": "add", "path": "/metadata/labels", "value": {"exact": "y"}}]'`,
        '  - target: {kind: Deploy.*, name: "api|web"}',
        `    patch: '[{"op": "add", "path": "/metadata/annotations", "value": {"alt": "y"}}]'`,
        '  - target: {name: "api-v[0-9]"}',
        `    patch: '[{"op": "add", "path": "/spec", "value": {"class": "y"}}]'`,
        "",
      ].join("\n"),
      "app/api.yaml": deployment("api"),
      "app/api-v2.yaml": deployment("api-v2"),
      "app/web.yaml": deployment("web"),
    });
    const store = new FileStore(snap, snap.files());
    await store.prefetch();
    const built = buildKustomization(store, "app");
    expect(built.warnings).toEqual([]);
    const byName = Object.fromEntries(built.resources.map((r) => [r.name, r.obj]));
    expect(byName.api).toMatchObject({ metadata: { labels: { exact: "y" }, annotations: { alt: "y" } } });
    expect(byName.api).not.toHaveProperty("spec");
    expect(byName["api-v2"]).toMatchObject({ spec: { class: "y" } });
    expect(byName["api-v2"]?.metadata).toEqual({ name: "api-v2" });
    expect(byName.web).toMatchObject({ metadata: { annotations: { alt: "y" } } });
    expect(byName.web?.metadata).not.toHaveProperty("labels");
    expect(byName.web).not.toHaveProperty("spec");
  });
});
