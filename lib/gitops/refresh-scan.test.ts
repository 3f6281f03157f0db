import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryCommit } from "../snapshot/memory-commit";
import type { RepoSnapshot } from "../snapshot/types";
import type { ReadSet } from "./file-store";
import { memorySnapshot } from "./memory-snapshot";
import { readIndex } from "./read-index";
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

/** A ReadSet that says when anything looks at it (its keys, values, one key). */
class WatchedReads extends Map<string, string> {
  constructor(
    reads: ReadSet,
    private readonly looked: () => void,
  ) {
    super(reads);
  }
  override get(k: string) {
    this.looked();
    return super.get(k);
  }
  override has(k: string) {
    this.looked();
    return super.has(k);
  }
  override entries() {
    this.looked();
    return super.entries();
  }
  override keys() {
    this.looked();
    return super.keys();
  }
  override values() {
    this.looked();
    return super.values();
  }
  override forEach(fn: (v: string, k: string, m: Map<string, string>) => void) {
    this.looked();
    super.forEach(fn);
  }
  override [Symbol.iterator]() {
    return this.entries();
  }
}

describe("refreshScan through the read index", () => {
  /** A scan whose every recorded read set reports being looked at, and the index built from them. */
  async function watchedScan(files: Record<string, string>) {
    const snapshot = memorySnapshot(files, "c1");
    const scan = await scanRepository(snapshot, OPTIONS);
    const ctx = scanContext(scan);
    const looked = { cells: new Set<string>(), builds: new Set<string>() };
    for (const [id, reads] of ctx?.cellReads ?? []) ctx?.cellReads?.set(id, new WatchedReads(reads, () => looked.cells.add(id)));
    for (const [dir, reads] of ctx?.buildReads ?? [])
      ctx?.buildReads?.set(dir, new WatchedReads(reads, () => looked.builds.add(dir)));
    readIndex(scan);
    looked.cells.clear();
    looked.builds.clear();
    return { snapshot, scan, looked };
  }

  const name = (id: string) => id.replace("\u0000", "/");

  it("a file shared through a base or a component re-resolves exactly its dependents, and no other cell's reads are looked at", async () => {
    const files = twoApps();
    for (const [path, from, to, dependents, builds] of [
      [
        "apps/alpha/base/deployment.yaml",
        "1.0.0",
        "1.0.1",
        ["alpha/dev", "alpha/prod", "alpha/staging"],
        ["alpha/overlays/dev", "alpha/overlays/prod", "alpha/overlays/staging"],
      ],
      [
        "components/logging/kustomization.yaml",
        "3.0",
        "3.1",
        ["alpha/prod", "beta/prod"],
        ["alpha/overlays/prod", "beta/overlays/prod"],
      ],
    ] as const) {
      const { snapshot, scan, looked } = await watchedScan(files);
      const next = memoryCommit(snapshot, { [path]: (files[path] ?? "").replace(from, to) }, "c2");
      const after = await refreshScan(scan, next, OPTIONS);
      expect(comparable(after)).toBe(comparable(await scanRepository(next, OPTIONS)));
      expect(reResolved(scan, after)).toEqual([...dependents]);
      // The plan, the rows of other apps and the untouched cells' read sets are the previous ones, unread.
      expect([...looked.cells].map(name).sort()).toEqual([...dependents]);
      expect([...looked.builds].sort()).toEqual(builds.map((b) => `apps/${b}`));
      expect(scanContext(after)?.plan).toBe(scanContext(scan)?.plan);
      for (const [i, row] of after.apps.entries())
        if (!dependents.some((d) => d.startsWith(`${row.name}/`))) expect(row).toBe(scan.apps[i]);
    }
  });

  it("the index moves with each refresh: a cell that stops reading a base is no longer its dependent", async () => {
    const files = twoApps();
    const { snapshot, scan } = await watchedScan(files);
    // alpha/dev stops building on the base: a change in place (the kustomization's text) that re-plans.
    const dev = "apps/alpha/overlays/dev/kustomization.yaml";
    const c2 = memoryCommit(snapshot, { [dev]: kustomization(["resources:", "  - ../../../beta/base"]) }, "c2");
    const s2 = await refreshScan(scan, c2, OPTIONS);
    expect(comparable(s2)).toBe(comparable(await scanRepository(c2, OPTIONS)));
    const base = "apps/alpha/base/deployment.yaml";
    const c3 = memoryCommit(c2, { [base]: (files[base] ?? "").replace("1.0.0", "1.0.2") }, "c3");
    const s3 = await refreshScan(s2, c3, OPTIONS);
    expect(comparable(s3)).toBe(comparable(await scanRepository(c3, OPTIONS)));
    expect(reResolved(s2, s3)).toEqual(["alpha/prod", "alpha/staging"]);
    const beta = "apps/beta/base/deployment.yaml";
    const c4 = memoryCommit(c3, { [beta]: (files[beta] ?? "").replace("1.0.0", "1.0.3") }, "c4");
    const s4 = await refreshScan(s3, c4, OPTIONS);
    expect(comparable(s4)).toBe(comparable(await scanRepository(c4, OPTIONS)));
    expect(reResolved(s3, s4)).toEqual(["alpha/dev", "beta/dev", "beta/prod"]);
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

/** The files that differ from `before` to `after`, as a commit writes them (null: removed). */
function changesBetween(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const p of new Set([...Object.keys(before), ...Object.keys(after)]))
    if (before[p] !== after[p]) changes[p] = after[p] ?? null;
  return changes;
}

describe("refreshScan equals a full scan (property)", () => {
  it("after random edits to overlays, shared bases, components, values, added and removed files, ladder.yaml", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kustomizationChainArb, { minLength: 2, maxLength: 2 }),
        fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        async (chains, commits) => {
          let files = repoFromChains(chains);
          let snap: RepoSnapshot = memorySnapshot(files, "c0");
          let scan = await scanRepository(snap, OPTIONS);
          for (const [i, edits] of commits.entries()) {
            const before = files;
            files = { ...files };
            for (const e of edits) apply(files, e);
            // Every other commit is its parent plus its changes: the refresh then takes the reader's diff.
            snap =
              i % 2 === 1 ? memoryCommit(snap, changesBetween(before, files), `c${i + 1}`) : memorySnapshot(files, `c${i + 1}`);
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

  it("along a long chain of commits, each refreshed from the last (shared maps many generations deep)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kustomizationChainArb, { minLength: 2, maxLength: 2 }),
        fc.array(fc.array(editArb, { minLength: 1, maxLength: 2 }), { minLength: 60, maxLength: 120 }),
        async (chains, commits) => {
          let files = repoFromChains(chains);
          let snap: RepoSnapshot = memorySnapshot(files, "c0");
          let scan = await scanRepository(snap, OPTIONS);
          for (const [i, edits] of commits.entries()) {
            const before = files;
            files = { ...files };
            // Mostly what promotions do (in place), now and then a file added, removed or ladder.yaml.
            for (const e of edits) {
              const inPlace: Edit = e.op === "comment" ? e : { op: "retag", pick: "pick" in e ? e.pick : 0, tag: `1.${i}` };
              apply(files, i % 10 === 9 ? e : inPlace);
            }
            snap = memoryCommit(snap, changesBetween(before, files), `c${i + 1}`);
            scan = await refreshScan(scan, snap, OPTIONS);
            if (i % 5 === 4 || i === commits.length - 1)
              expect(comparable(scan)).toBe(comparable(await scanRepository(memorySnapshot(files, `c${i + 1}`), OPTIONS)));
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 120_000);
});
