import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./main";

const fixture = path.resolve(__dirname, "../../test/fixtures/gitops/multi-app");

function changedLines(diff: string): string[] {
  return diff.split("\n").filter((l) => /^[+-](?![+-])/.test(l));
}

function digest(seed: string, build: number): string {
  return `sha256:${seed.repeat(63)}${build}`;
}

/** Two apps whose staging runs newer builds, tag and digest, than prod. */
function twoAppRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ladder-two-apps-"));
  const apps = [
    { app: "api", seed: "a", tags: ["1.0.0", "1.1.0"] },
    { app: "web", seed: "b", tags: ["3.0.0", "3.2.0"] },
  ];
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write("ladder.yaml", "version: 1\nenvironments: [staging, prod]\napps:\n  - path: apps/{app}/overlays/{env}\n");
  for (const { app, seed, tags } of apps) {
    write(`apps/${app}/base/kustomization.yaml`, "resources:\n  - deployment.yaml\n");
    write(
      `apps/${app}/base/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${app}\n          image: ghcr.io/acme/${app}:0.1.0\n`,
    );
    ["prod", "staging"].forEach((env, i) => {
      write(
        `apps/${app}/overlays/${env}/kustomization.yaml`,
        `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/${app}\n    newTag: "${tags[i]}"\n    digest: ${digest(seed, i + 1)}\n`,
      );
    });
  }
  return dir;
}

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

  it("promote --dry-run prints a diff that sets the whole reference the source runs: its tag and its digest", async () => {
    const r = await run("promote", fixture, "--app", "api", "--to", "staging", "--dry-run");
    expect(r.code).toBe(0);
    expect(changedLines(r.out)).toEqual([
      '-    newTag: "1.4.1"',
      `-    digest: sha256:${"1".repeat(64)}`,
      '+    newTag: "1.4.2"',
      `+    digest: sha256:${"2".repeat(64)}`,
    ]);
    // A digest named on the command line keeps the target's tag.
    const chosen = await run(
      "promote",
      fixture,
      "--app",
      "api",
      "--to",
      "staging",
      "--digest",
      `sha256:${"3".repeat(64)}`,
      "--dry-run",
    );
    expect(changedLines(chosen.out)).toEqual([`-    digest: sha256:${"1".repeat(64)}`, `+    digest: sha256:${"3".repeat(64)}`]);
  });

  it("promote --dry-run with several --app prints each app's diff, tag and digest lines, one after the other", async () => {
    const dir = twoAppRepo();
    try {
      const r = await run("promote", dir, "--to", "prod", "--app", "api", "--app", "web", "--dry-run");
      expect(r.code).toBe(0);
      expect(r.out).toContain("# api/prod: ghcr.io/acme/api:1.0.0@");
      expect(r.out).toContain("--- a/apps/api/overlays/prod/kustomization.yaml");
      expect(r.out).toContain("--- a/apps/web/overlays/prod/kustomization.yaml");
      expect(changedLines(r.out)).toEqual([
        '-    newTag: "1.0.0"',
        `-    digest: ${digest("a", 1)}`,
        '+    newTag: "1.1.0"',
        `+    digest: ${digest("a", 2)}`,
        '-    newTag: "3.0.0"',
        `-    digest: ${digest("b", 1)}`,
        '+    newTag: "3.2.0"',
        `+    digest: ${digest("b", 2)}`,
      ]);
      const json = await run("promote", dir, "--to", "prod", "--app", "api", "--app", "web", "--dry-run", "--json");
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.out) as { ok: boolean; dryRun: boolean; changes: { app: string; to: unknown }[] };
      expect(parsed).toMatchObject({ ok: true, dryRun: true });
      expect(parsed.changes.map((c) => [c.app, c.to])).toEqual([
        ["api", { repository: "ghcr.io/acme/api", tag: "1.1.0", digest: digest("a", 2) }],
        ["web", { repository: "ghcr.io/acme/web", tag: "3.2.0", digest: digest("b", 2) }],
      ]);
      // --image and --digest name one image: not with several apps.
      expect(
        (await run("promote", dir, "--to", "prod", "--app", "api", "--app", "web", "--digest", digest("a", 3), "--dry-run")).code,
      ).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("status --json prints the matrix: apps × environments with images, tags, digests, pins and the file that sets them", async () => {
    const r = await run("status", fixture, "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      dir: string;
      commit: string;
      environments: string[];
      apps: {
        app: string;
        cells: Record<string, { path: string; relation: string; images: Record<string, unknown>[] } | null>;
      }[];
    };
    expect(json).toMatchObject({ dir: fixture, environments: ["dev", "staging", "prod"] });
    const api = json.apps.find((a) => a.app === "api");
    expect(api?.cells.staging).toMatchObject({ path: "apps/api/overlays/staging", relation: "differs" });
    expect(api?.cells.staging?.images).toContainEqual(
      expect.objectContaining({
        repository: "ghcr.io/acme/api",
        tag: "1.4.1",
        digest: `sha256:${"1".repeat(64)}`,
        pinned: true,
        source: { file: "apps/api/overlays/staging/kustomization.yaml", line: 10 },
      }),
    );
    expect(json.apps.find((a) => a.app === "web")?.cells.staging).toBeNull();
    const text = await run("status", fixture);
    expect(text.out.split("\n")[0]).toMatch(/^app\s+dev\s+staging\s+prod$/);
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

  it("usage errors exit 2, except promote's: 1 (its 2 means refused by policy)", async () => {
    const local = await run("promote", fixture, "--app", "api", "--to", "prod");
    expect(local.code).toBe(1);
    expect(local.err).toContain("can only be planned (--dry-run)");
    expect((await run("promote", fixture, "--to", "prod", "--dry-run")).code).toBe(1);
    // A promotion moves the source's tag: --tag is a local plan's alone.
    expect((await run("promote", "--to", "prod", "--app", "api", "--tag", "9.9")).err).toContain("--tag is for a local");
    expect((await run("nope")).code).toBe(2);
    expect((await run("audit")).code).toBe(2);
    expect((await run("audit", "frobnicate")).code).toBe(2);
  });
});
