import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { layoutMask, refreshScan } from "./refresh-scan";
import { cellId, type ScanOptions, scanContext, scanRepository } from "./scan";
import { kustomizationChainArb } from "./test-support/kustomization-chains";
import { workload } from "./test-support/kustomize-edge-cases";
import type { Cell, ScanResult } from "./types";

const OPTIONS: ScanOptions = { render: false, helm: false };
const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** The scan as JSON, without what differs between two scans of one commit (timing). */
function comparable(s: ScanResult): string {
  return JSON.stringify({ ...s, stats: { ...s.stats, millis: 0 } });
}

/** Which cells a refresh resolved again: the ones that are not the previous scan's objects. */
function reResolved(before: ScanResult, after: ScanResult): string[] {
  const old = new Set<Cell>(before.apps.flatMap((a) => Object.values(a.environments)));
  return after.apps
    .flatMap((a) => Object.entries(a.environments).map(([env, c]) => ({ id: `${a.name}/${env}`, c })))
    .filter(({ c }) => !old.has(c))
    .map(({ id }) => id)
    .sort();
}

async function refreshed(files: Record<string, string>, edit: (f: Record<string, string>) => void) {
  const before = await scanRepository(memorySnapshot(files, "c1"), OPTIONS);
  const next = { ...files };
  edit(next);
  const after = await refreshScan(before, memorySnapshot(next, "c2"), OPTIONS);
  const full = await scanRepository(memorySnapshot(next, "c2"), OPTIONS);
  expect(comparable(after)).toBe(comparable(full));
  expect(scanContext(after)?.resolved).toBe(reResolved(before, after).length);
  return { before, after, cells: reResolved(before, after) };
}

const kustomization = (lines: string[]) =>
  ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", ...lines, ""].join("\n");

/** alpha: base → dev, staging, prod; beta: base → dev, prod; a component both prods use. */
function twoApps(): Record<string, string> {
  const files: Record<string, string> = {
    "components/logging/kustomization.yaml": [
      "apiVersion: kustomize.config.k8s.io/v1alpha1",
      "kind: Component",
      "images:",
      "  - name: fluent/fluent-bit",
      "    newTag: '3.0'",
      "",
    ].join("\n"),
  };
  for (const [app, envs] of [
    ["alpha", ["dev", "staging", "prod"]],
    ["beta", ["dev", "prod"]],
  ] as const) {
    files[`apps/${app}/base/kustomization.yaml`] = kustomization(["resources:", "  - deployment.yaml"]);
    files[`apps/${app}/base/deployment.yaml`] = workload("Deployment", app, [
      `ghcr.io/acme/${app}:1.0.0`,
      "fluent/fluent-bit:2.0",
    ]);
    envs.forEach((env, i) => {
      files[`apps/${app}/overlays/${env}/kustomization.yaml`] = kustomization([
        "resources:",
        "  - ../../base",
        ...(env === "prod" ? ["components:", "  - ../../../../components/logging"] : []),
        "images:",
        `  - name: ghcr.io/acme/${app}`,
        `    newTag: "1.${i}.0"`,
        `    digest: ${D(i + 1)}`,
      ]);
    });
  }
  return files;
}

describe("refreshScan: a changed file re-resolves exactly the cells that read it", () => {
  it("the base alpha's three environments build on: those three, no other", async () => {
    const { cells } = await refreshed(twoApps(), (f) => {
      f["apps/alpha/base/deployment.yaml"] = (f["apps/alpha/base/deployment.yaml"] ?? "").replace("1.0.0", "1.0.1");
    });
    expect(cells).toEqual(["alpha/dev", "alpha/prod", "alpha/staging"]);
  });

  it("a component shared by two apps' prod: both prods, no other", async () => {
    const { cells } = await refreshed(twoApps(), (f) => {
      f["components/logging/kustomization.yaml"] = (f["components/logging/kustomization.yaml"] ?? "").replace("3.0", "3.1");
    });
    expect(cells).toEqual(["alpha/prod", "beta/prod"]);
  });

  it("one overlay's promotion: that cell, and the plan is kept", async () => {
    const { before, after, cells } = await refreshed(twoApps(), (f) => {
      f["apps/beta/overlays/dev/kustomization.yaml"] = (f["apps/beta/overlays/dev/kustomization.yaml"] ?? "").replace(D(1), D(7));
    });
    expect(cells).toEqual(["beta/dev"]);
    expect(scanContext(after)?.plan).toBe(scanContext(before)?.plan);
  });

  it("a change the layout may depend on re-plans, and still re-resolves only the cells that read it", async () => {
    const { before, after, cells } = await refreshed(twoApps(), (f) => {
      f["apps/beta/base/deployment.yaml"] = `# owned by team beta\n${f["apps/beta/base/deployment.yaml"]}`;
    });
    expect(cells).toEqual(["beta/dev", "beta/prod"]);
    expect(scanContext(after)?.plan).not.toBe(scanContext(before)?.plan);
  });

  it("a file that appears where a cell looked for it (an absent read) re-resolves that cell", async () => {
    const files = twoApps();
    files["apps/alpha/overlays/staging/kustomization.yaml"] = kustomization([
      "resources:",
      "  - ../../base",
      "patches:",
      "  - path: pin.yaml",
    ]);
    const { after, cells } = await refreshed(files, (f) => {
      f["apps/alpha/overlays/staging/pin.yaml"] = workload("Deployment", "alpha", [`ghcr.io/acme/alpha:9.9.9@${D(9)}`]);
    });
    expect(cells).toEqual(["alpha/staging"]);
    const staging = after.apps.find((a) => a.name === "alpha")?.environments.staging;
    expect(staging?.images.find((i) => i.repository === "ghcr.io/acme/alpha")?.tag).toBe("9.9.9");
  });

  it("a new overlay directory re-plans: the new cell is resolved, the others kept", async () => {
    const { after, cells } = await refreshed(twoApps(), (f) => {
      f["apps/beta/overlays/staging/kustomization.yaml"] = kustomization(["resources:", "  - ../../base"]);
    });
    expect(cells).toEqual(["beta/staging"]);
    expect(Object.keys(after.apps.find((a) => a.name === "beta")?.environments ?? {})).toEqual(["dev", "staging", "prod"]);
  });

  it("a removed file that a cell read re-resolves it", async () => {
    const { cells } = await refreshed(twoApps(), (f) => {
      delete f["apps/alpha/base/deployment.yaml"];
    });
    expect(cells).toEqual(["alpha/dev", "alpha/prod", "alpha/staging"]);
  });

  it("a Helm values file: the environment that layers it", async () => {
    const files = {
      "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "charts/web/values.yaml": "image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n",
      "charts/web/values-dev.yaml": "image:\n  tag: 1.1.0\n",
      "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n",
      "charts/web/templates/deployment.yaml": "kind: Deployment\n",
    };
    const dev = await refreshed(files, (f) => {
      f["charts/web/values-dev.yaml"] = "image:\n  tag: 1.2.0\n";
    });
    expect(dev.cells).toEqual(["web/dev"]);
    const shared = await refreshed(files, (f) => {
      f["charts/web/values.yaml"] = "image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.1\n";
    });
    expect(shared.cells.length).toBe(Object.keys(shared.after.apps[0]?.environments ?? {}).length);
  });

  it("ladder.yaml changing scans everything again", async () => {
    const files = twoApps();
    const { after, cells } = await refreshed(files, (f) => {
      f["ladder.yaml"] = "environments: [dev, staging, prod]\n";
    });
    expect(cells.length).toBe(after.apps.reduce((n, a) => n + Object.keys(a.environments).length, 0));
  });

  it("an invalid ladder.yaml left alone: the detected layout is kept, naming the new commit", async () => {
    const files = { ...twoApps(), "ladder.yaml": "apps: {}\n" };
    const { after, cells } = await refreshed(files, (f) => {
      f["apps/beta/overlays/dev/kustomization.yaml"] = (f["apps/beta/overlays/dev/kustomization.yaml"] ?? "").replace(D(1), D(7));
    });
    expect(cells).toEqual(["beta/dev"]);
    expect(after.layout.ladderYaml).toMatchObject({ state: "invalid", commit: "c2" });
  });

  it("the read index is content addressed: reads name paths with blob SHAs, absent files included", async () => {
    const files = twoApps();
    files["apps/alpha/overlays/dev/kustomization.yaml"] = kustomization([
      "resources:",
      "  - ../../base",
      "patches:",
      "  - path: missing.yaml",
    ]);
    const s = await scanRepository(memorySnapshot(files), OPTIONS);
    const reads = scanContext(s)?.cellReads?.get(cellId("alpha", "dev"));
    expect(reads?.get("f:apps/alpha/overlays/dev/missing.yaml")).toBe("-");
    expect(reads?.get("f:apps/alpha/base/deployment.yaml")).toMatch(/^[0-9a-f]{40}$/);
    expect(reads?.has("f:apps/beta/base/deployment.yaml")).toBe(false);
  });
});

describe("layoutMask", () => {
  it("masks promotion-edited scalar values and nothing structural", () => {
    expect(layoutMask("images:\n  - name: x\n    newTag: '1.2'\n    digest: sha256:ab # pin\n")).toBe(
      "images:\n  - name: x\n    newTag: *\n    digest: *\n",
    );
    expect(layoutMask("image:\n  tag: 1\n")).toBe("image:\n  tag: *\n");
    expect(layoutMask("image: |\n  x\n")).toBe("image: |\n  x\n");
    expect(layoutMask("image: {repository: x}\n")).toBe("image: {repository: x}\n");
  });
});

// Random edits to a random repository: a refresh always equals a full scan of the new commit.
const APPS = ["a0", "a1"];

/** Chain trees (base, optional mid and components, a leaf) as apps whose dev and prod are copies of the leaf. */
function repoFromChains(chains: { files: Record<string, string> }[]): Record<string, string> {
  const files: Record<string, string> = {};
  chains.forEach((chain, i) => {
    for (const [p, text] of Object.entries(chain.files)) {
      if (p.startsWith("leaf/")) {
        files[`apps/${APPS[i]}/dev/${p.slice(5)}`] = text;
        files[`apps/${APPS[i]}/prod/${p.slice(5)}`] = text;
      } else files[`apps/${APPS[i]}/${p}`] = text;
    }
  });
  files["charts/web/Chart.yaml"] = "apiVersion: v2\nname: web\nversion: 1.0.0\n";
  files["charts/web/values.yaml"] = "image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n";
  files["charts/web/values-dev.yaml"] = "image:\n  tag: 1.1.0\n";
  files["charts/web/values-prod.yaml"] = "image:\n  tag: 1.0.0\n";
  return files;
}

type Edit =
  | { op: "retag"; pick: number; tag: string }
  | { op: "comment"; pick: number }
  | { op: "remove"; pick: number }
  | { op: "add"; pick: number; image: string }
  | { op: "newEnv"; pick: number }
  | { op: "ladder" };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("retag" as const), pick: fc.nat(), tag: fc.constantFrom("9.9", "v3") }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("comment" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remove" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("add" as const), pick: fc.nat(), image: fc.constantFrom("redis:8", "nginx:1.27") }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("newEnv" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: "ladder" as const }) },
);

function apply(files: Record<string, string>, e: Edit): void {
  const paths = Object.keys(files).sort();
  const p = paths[("pick" in e ? e.pick : 0) % paths.length] ?? "";
  const dir = p.split("/").slice(0, -1).join("/");
  if (e.op === "retag") {
    // A version or digest in the file, the way a promotion changes it.
    files[p] = (files[p] ?? "").replace(/(:|newTag: ["']?|tag: )[0-9v][\w.-]*/, `$1${e.tag}`).replace(D(1), D(5));
  } else if (e.op === "comment") files[p] = `# edited\n${files[p]}`;
  else if (e.op === "remove") delete files[p];
  else if (e.op === "add") files[`${dir ? `${dir}/` : ""}added.yaml`] = workload("Deployment", "added", [e.image]);
  else if (e.op === "newEnv") {
    const app = APPS[e.pick % APPS.length];
    const dev = Object.entries(files).filter(([q]) => q.startsWith(`apps/${app}/dev/`));
    for (const [q, text] of dev) files[q.replace("/dev/", "/staging/")] = text;
  } else files["ladder.yaml"] = "environments: [dev, staging, prod]\n";
}

describe("refreshScan equals a full scan (property)", () => {
  it("after random edits to overlays, shared bases, components, values, added and removed files, ladder.yaml", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kustomizationChainArb, { minLength: 2, maxLength: 2 }),
        fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        async (chains, commits) => {
          let files = repoFromChains(chains);
          let scan = await scanRepository(memorySnapshot(files, "c0"), OPTIONS);
          for (const [i, edits] of commits.entries()) {
            files = { ...files };
            for (const e of edits) apply(files, e);
            const snap = memorySnapshot(files, `c${i + 1}`);
            const next = await refreshScan(scan, snap, OPTIONS);
            const full = await scanRepository(snap, OPTIONS);
            expect(comparable(next)).toBe(comparable(full));
            scan = next;
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
