import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseLadderConfig } from "./ladder-config";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";
import { suggestLadderYaml } from "./suggest-ladder-yaml";
import { clusterTreesTree, fluxTargetsTree, nestedTargetsTree } from "./test-support/fan-out-trees";
import type { Cell, ScanResult, TargetCell } from "./types";

const FIXTURES = path.resolve(__dirname, "../../test/fixtures/gitops");
const REAL = path.resolve(__dirname, "../../../shared/fixtures/real-gitops");

function readTree(dir: string, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) readTree(full, rel, out);
    else out[rel] = readFileSync(full, "utf8");
  }
  return out;
}

const images = (c: Pick<Cell, "images">) =>
  c.images.map((i) => `${i.repository}:${i.tag ?? ""}@${i.digest ?? ""} set in ${i.source.file}:${i.source.line}`).sort();

function cellView(c: TargetCell) {
  return { path: c.path, format: c.format, images: images(c), ownFiles: [...c.ownFiles].sort() };
}

/** What the matrix shows: environments in order, and per app × environment (× target) the images and where they are set. */
function matrixOf(scan: ScanResult) {
  return {
    environments: scan.environments,
    apps: Object.fromEntries(
      [...scan.apps]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => [
          a.name,
          Object.fromEntries(
            Object.entries(a.environments).map(([env, c]) => [
              env,
              {
                ...cellView(c),
                targets: c.targets
                  ? Object.fromEntries(Object.entries(c.targets).map(([t, tc]) => [t, cellView(tc)]))
                  : undefined,
              },
            ]),
          ),
        ]),
    ),
  };
}

/** Scans `files` without ladder.yaml, commits the suggestion, scans again. */
async function roundTrip(files: Record<string, string>) {
  const { "ladder.yaml": _ignored, ...tree } = files;
  const detected = await scanRepository(memorySnapshot(tree, "c0ffee0"), { helm: false });
  expect(detected.layout.source).toBe("detected");
  const suggestion = suggestLadderYaml(detected);
  if (!suggestion.text) throw new Error(`no suggestion: ${JSON.stringify(suggestion.omitted)}`);
  const committed = await scanRepository(memorySnapshot({ ...tree, "ladder.yaml": suggestion.text }, "c0ffee1"), {
    helm: false,
  });
  return { detected, suggestion, text: suggestion.text, committed };
}

describe("suggestLadderYaml: committed, the file gives the matrix detection gave", () => {
  const exact: Record<string, () => Record<string, string>> = {
    "multi-app (apps/<app>/overlays/<env>)": () => readTree(path.join(FIXTURES, "multi-app")),
    "ladder-config (Kustomize and Helm values, without its ladder.yaml)": () => readTree(path.join(FIXTURES, "ladder-config")),
    "nested targets (components/<app>/<env>/<cluster> over <env>/base)": nestedTargetsTree,
  };
  it.each(Object.keys(exact))("%s", async (name) => {
    const { detected, suggestion, text, committed } = await roundTrip((exact[name] as () => Record<string, string>)());
    expect(parseLadderConfig(text).ok).toBe(true);
    expect(committed.layout.source).toBe("ladder.yaml");
    expect(committed.layout.ladderYaml).toEqual({ state: "valid", file: "ladder.yaml" });
    expect(suggestion.approximations).toEqual([]);
    expect(suggestion.omitted).toEqual([]);
    expect(matrixOf(committed)).toEqual(matrixOf(detected));
    expect(committed.warnings.filter((w) => w.file === "ladder.yaml")).toEqual([]);
  });

  it("writes patterns, not one path per cell, where the tree allows", async () => {
    const { text } = await roundTrip(readTree(path.join(FIXTURES, "multi-app")));
    expect(text).toContain("  - format: kustomize\n    path: apps/{app}/overlays/{env}\n");
    expect(text).not.toContain("name: api");
    const nested = await roundTrip(nestedTargetsTree());
    expect(nested.text).toContain("    path: components/{app}/{env}/{target}\n");
    expect(nested.text).toContain("    paths:\n      development: components/{app}/development\n");
    expect(nested.text).toContain("    envPath: components/{app}/{env}/base\n");
    expect(nested.text).toContain("  - name: production\n    targets: [prod-ap-1, prod-eu-1, prod-us-2]\n");
  });

  it("says in its header that it was generated and what was guessed", async () => {
    const { detected, text } = await roundTrip(readTree(path.join(FIXTURES, "ladder-config")));
    expect(text.startsWith("# ladder.yaml written by Ladder from the layout it detected at commit c0ffee0.\n")).toBe(true);
    for (const guess of detected.layout.guessed) expect(text).toContain(`#   - ${guess}\n`);
    expect(text).toContain("    format: helm\n    path: helm/worker/values-{env}.yaml\n");
    expect(text).toContain("      valueFiles: [helm/worker/values.yaml]\n");
  });
});

describe("suggestLadderYaml: what ladder.yaml cannot say is named, rows and columns still agree", () => {
  it.each([
    ["a Flux fleet whose one overlay deploys two apps", fluxTargetsTree],
    ["one tree per cluster, apps split by workload", clusterTreesTree],
  ])("%s", async (_name, tree) => {
    const { detected, suggestion, text, committed } = await roundTrip(tree());
    expect(committed.layout.source).toBe("ladder.yaml");
    const before = matrixOf(detected);
    const after = matrixOf(committed);
    expect(after.environments).toEqual(before.environments);
    expect(Object.keys(after.apps)).toEqual(Object.keys(before.apps));
    for (const [app, cells] of Object.entries(before.apps)) {
      expect(Object.keys(after.apps[app] ?? {}), app).toEqual(Object.keys(cells));
      for (const [env, cell] of Object.entries(cells)) {
        const mine = after.apps[app]?.[env];
        expect(mine?.path, `${app} ${env}`).toBe(cell.path);
        expect(Object.keys(mine?.targets ?? {}), `${app} ${env}`).toEqual(Object.keys(cell.targets ?? {}));
        // One path, every workload's images: a superset of the app's own.
        for (const image of cell.images) expect(mine?.images, `${app} ${env}`).toContain(image);
      }
    }
    const apps = Object.keys(before.apps);
    expect(new Set(suggestion.approximations.map((n) => n.app))).toEqual(new Set(apps));
    expect(suggestion.approximations.every((n) => n.message.includes("cannot pick this app's workloads"))).toBe(true);
    for (const app of apps) expect(text).toContain(`  # ${app}: ladder.yaml cannot pick this app's workloads out of`);
  });
});

describe("suggestLadderYaml on the real repositories under ../shared/fixtures/real-gitops", () => {
  const repos = existsSync(REAL) ? readdirSync(REAL).filter((d) => statSync(path.join(REAL, d)).isDirectory()) : [];
  it.skipIf(repos.length === 0).each(repos)(
    "%s: valid, and exact for every app it does not name",
    async (repo) => {
      const { detected, suggestion, committed } = await roundTrip(readTree(path.join(REAL, repo)));
      expect(committed.layout.source).toBe("ladder.yaml");
      const named = new Set([...suggestion.approximations, ...suggestion.omitted].map((n) => n.app));
      const before = matrixOf(detected);
      const after = matrixOf(committed);
      for (const [app, cells] of Object.entries(before.apps)) if (!named.has(app)) expect(after.apps[app], app).toEqual(cells);
    },
    60_000,
  );
});

describe("suggestLadderYaml: nothing to describe", () => {
  it("returns no file and says why when nothing was detected", async () => {
    const scan = await scanRepository(memorySnapshot({ "README.md": "# nothing here\n" }), { helm: false });
    const suggestion = suggestLadderYaml(scan);
    expect(suggestion.text).toBeNull();
    expect(suggestion.omitted.at(-1)?.message).toMatch(/no app/);
  });

  it("needs the scan's own result", async () => {
    const scan = await scanRepository(memorySnapshot({ "README.md": "x\n" }), { helm: false });
    expect(() => suggestLadderYaml(JSON.parse(JSON.stringify(scan)) as ScanResult)).toThrow(/scan's own result/);
  });
});
