import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./main";

const fixture = path.resolve(__dirname, "../../test/fixtures/gitops/multi-app");

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe("ladder CLI", () => {
  it("scan --json prints environments, apps with cells and images, and warnings", async () => {
    const r = await run("scan", fixture, "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      environments: string[];
      apps: { name: string; environments: Record<string, { path: string; images: Record<string, unknown>[] }> }[];
      warnings: unknown[];
    };
    expect(json.environments).toEqual(["dev", "staging", "prod"]);
    const dev = json.apps.find((a) => a.name === "api")?.environments.dev;
    expect(dev?.path).toBe("apps/api/overlays/dev");
    expect(dev?.images).toContainEqual(
      expect.objectContaining({
        repository: "ghcr.io/acme/api",
        tag: "1.4.2",
        digest: `sha256:${"2".repeat(64)}`,
        pinned: true,
        source: { file: "apps/api/overlays/dev/kustomization.yaml", line: 9 },
        inherited: false,
      }),
    );
    expect(json.warnings).toEqual([]);
  });

  it("promote --dry-run prints a diff that only changes the digest line", async () => {
    const r = await run("promote", fixture, "--app", "api", "--to", "staging", "--dry-run");
    expect(r.code).toBe(0);
    const changed = r.out.split("\n").filter((l) => /^[+-](?![+-])/.test(l));
    expect(changed).toEqual([`-    digest: sha256:${"1".repeat(64)}`, `+    digest: sha256:${"2".repeat(64)}`]);
  });

  it("diff --json classifies differences", async () => {
    const r = await run("diff", fixture, "--app", "api", "--from", "staging", "--to", "prod", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).driftCount).toBe(0);
  });

  it("scan and promote refuse an invalid ladder.yaml: exit 1 (scan, unless --allow-invalid-config) and 2 (promote)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ladder-invalid-"));
    try {
      cpSync(fixture, dir, { recursive: true });
      // One letter wrong: the whole file fails to validate.
      writeFileSync(
        path.join(dir, "ladder.yaml"),
        "version: 1\nenvironments: [dev, staging, prod]\napps:\n  - path: apps/{app}/overlays/{env}\n    format: kustomise\n",
      );
      const scan = await run("scan", dir);
      expect(scan.code).toBe(1);
      expect(scan.err).toMatch(/ladder\.yaml at \w+ is invalid: ladder\.yaml:\d+: .*refused until it is fixed/);
      expect(scan.out).toContain("ladder.yaml is INVALID");
      expect((await run("scan", dir, "--allow-invalid-config")).code).toBe(0);
      const promote = await run("promote", dir, "--app", "api", "--to", "staging", "--dry-run");
      expect(promote.code).toBe(2);
      expect(promote.err).toContain("is invalid");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("usage errors exit 2", async () => {
    expect((await run("promote", fixture, "--app", "api", "--to", "prod")).code).toBe(2);
    expect((await run("nope")).code).toBe(2);
    expect((await run("audit")).code).toBe(2);
    expect((await run("audit", "frobnicate")).code).toBe(2);
  });
});
