import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { envRank } from "@/lib/gitops/env-names";
import { scanRepository } from "@/lib/gitops/scan";
import type { ScanResult, TargetCell } from "@/lib/gitops/types";
import { openLocalRepo } from "@/lib/snapshot/local-reader";
import { conformanceIt, CONFORMANCE_TESTS as T } from "../support/expected-failures";
import { helm } from "../support/helm";
import { hasKubectl } from "../support/kubectl";

// The shared conformance suite lives beside the project checkout; skip when it is not there,
// except in CI, where a missing suite or a missing kubectl must fail rather than vanish.
const inCI = process.env.CI === "true";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/real-gitops");
const folders = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, "expected.json")))
      .map((d) => d.name)
  : [];

const kubectl = hasKubectl;

/**
 * Kustomize cells whose render was compared (agree or disagree), at least, per folder, as measured
 * with kubectl 1.32 (Kustomize 5.5) on the fixtures: without a floor, renders that are all skipped or all failed
 * would pass the comparison by comparing nothing. Folders not listed compare none today: Helm only
 * (akuity__kargo-helm, alphagov__govuk-helm-charts, wikimedia__operations-deployment-charts) or every
 * render fails in the private copy (hmcts__sds-flux-config, stefanprodan__podinfo: "accumulating
 * resources from '../base'"). Raise an entry when a fix makes more cells render; never lower one.
 */
const KUSTOMIZE_CELLS_COMPARED_AT_LEAST: Readonly<Record<string, number>> = {
  "GoogleCloudPlatform__bank-of-anthos": 33,
  "akuity__kargo-simple": 3,
  "fluxcd__flux2-kustomize-helm-example": 2,
  "kostis-codefresh__gitops-environment-promotion": 11,
};

/**
 * Helm cells rendered with the Helm oracle and compared, at least, per folder (measured with helm
 * v3.17.1). Not listed: charts outside the copy, or copies whose templates need helpers that were
 * not kept (akuity__kargo-helm, stefanprodan__podinfo) or values from outside git (most of
 * wikimedia's, which need /etc/helmfile-defaults). govuk's generated cells are rendered by
 * construction and not counted. Raise an entry when more render; never lower one.
 */
const HELM_CELLS_COMPARED_AT_LEAST: Readonly<Record<string, number>> = {
  "wikimedia__operations-deployment-charts": 12,
};

interface ExpectedImage {
  repository: string;
  repository_normalised: string;
  tag: string | null;
  digest: string | null;
}
interface Expected {
  environments: string[];
  cells: { app: string; env: string; images: ExpectedImage[] }[];
  unresolvable: { app: string; env: string; why: string }[];
}

function key(i: {
  repository_normalised?: string;
  repositoryNormalised?: string;
  tag: string | null;
  digest: string | null;
}): string {
  return `${i.repository_normalised ?? i.repositoryNormalised}|${i.tag ?? ""}|${i.digest ?? ""}`;
}

/**
 * The matrix's columns as the expectations name them: an environment, or `env/target` for each
 * target of an environment that fans out (clusters, regions).
 */
function columns(scan: ScanResult): string[] {
  return scan.environments.flatMap((env) => {
    const targets = new Set(scan.apps.flatMap((a) => Object.keys(a.environments[env]?.targets ?? {})));
    return targets.size > 0 ? [...targets].sort().map((t) => `${env}/${t}`) : [env];
  });
}

/** The cell of `app` in a column (`env` or `env/target`). */
function cellAt(scan: ScanResult, app: string, column: string): TargetCell | undefined {
  const cells = scan.apps.find((a) => a.name === app)?.environments;
  if (!cells) return undefined;
  const direct = cells[column];
  if (direct) return direct;
  const cut = column.lastIndexOf("/");
  return cut > 0 ? cells[column.slice(0, cut)]?.targets?.[column.slice(cut + 1)] : undefined;
}

/**
 * A cell shows exactly the expected images, plus, only where the expectation calls the cell
 * unresolvable (a build tool's placeholder, say), images that carry a label saying what is wrong
 * with them: Ladder shows what Kustomize renders and labels it, it never drops it.
 */
function expectCellImages(scan: ScanResult, expected: Expected, c: Expected["cells"][number]): void {
  const cell = cellAt(scan, c.app, c.env);
  const want = c.images.map(key).sort();
  const unresolvable = expected.unresolvable.some((u) => u.app === c.app && u.env === c.env);
  const shown = (cell?.images ?? []).filter((i) => want.includes(key(i)) || !(unresolvable && i.labels?.length));
  expect(shown.map(key).sort(), `${c.app}@${c.env}`).toEqual(want);
}

function cellIds(scan: ScanResult): string[] {
  return scan.apps.flatMap((a) =>
    Object.entries(a.environments).flatMap(([env, c]) =>
      c.targets ? Object.keys(c.targets).map((t) => `${a.name}@${env}/${t}`) : [`${a.name}@${env}`],
    ),
  );
}

describe.skipIf(folders.length === 0 && !inCI)("conformance: ../shared/fixtures/real-gitops", () => {
  it("the shared fixtures are present (CI requires them)", () => {
    expect(folders.length, `no folder with expected.json under ${root}: check out the shared fixtures there`).toBeGreaterThan(0);
  });
  it.skipIf(!kubectl && !inCI)("kubectl is installed (CI requires it)", () => {
    expect(kubectl, "`kubectl version --client` failed: install kubectl, which renders the Kustomize cells").toBe(true);
  });

  for (const folder of folders) {
    describe(folder, () => {
      const expected = JSON.parse(readFileSync(path.join(root, folder, "expected.json"), "utf8")) as Expected;
      let scan: ScanResult;
      // Charts that generate Argo CD Applications are read rendered, with the Helm oracle.
      const helmRun = helm.binary ? { binary: helm.binary } : undefined;
      const load = async () => {
        if (!scan)
          scan = await scanRepository(await (await openLocalRepo(path.join(root, folder), { worktree: true })).snapshot(), {
            helm: helmRun,
          });
        return scan;
      };
      let renderedScan: ScanResult | undefined;
      const loadRendered = async () => {
        renderedScan ??= await scanRepository(
          await (await openLocalRepo(path.join(root, folder), { worktree: true })).snapshot(),
          { render: { timeoutMs: 30_000 }, helm: helmRun },
        );
        return renderedScan;
      };

      conformanceIt(folder, T.environments)(T.environments, async () => {
        const s = await load();
        const got = columns(s);
        expect([...got].sort()).toEqual([...expected.environments].sort());
        // Environments with different well-known ranks must keep the expected relative order
        // (an `env/target` column ranks by its environment).
        const envOf = (c: string) => c.split("/")[0] ?? c;
        for (const a of expected.environments) {
          for (const b of expected.environments) {
            const ra = envRank(envOf(a));
            const rb = envRank(envOf(b));
            if (ra === undefined || rb === undefined || ra === rb) continue;
            const ordered = expected.environments.indexOf(a) < expected.environments.indexOf(b);
            expect(got.indexOf(a) < got.indexOf(b), `${a} vs ${b}`).toBe(ordered);
          }
        }
      });

      conformanceIt(folder, T.cells)(T.cells, async () => {
        const s = await load();
        const got = cellIds(s).sort();
        const want = expected.cells.map((c) => `${c.app}@${c.env}`).sort();
        expect(got).toEqual(want);
      });

      conformanceIt(folder, T.images)(T.images, async () => {
        const s = await load();
        for (const c of expected.cells) expectCellImages(s, expected, c);
      });

      // Without kubectl every render is skipped and nothing can be compared: say so locally, fail in CI.
      (kubectl || inCI ? conformanceIt(folder, T.kustomize) : it.skip)(T.kustomize, async () => {
        const rendered = await loadRendered();
        const cells = rendered.apps.flatMap((a) =>
          Object.entries(a.environments).flatMap(([env, c]): { id: string; c: TargetCell }[] =>
            c.targets
              ? Object.entries(c.targets).map(([t, tc]) => ({ id: `${a.name}@${env}/${t}`, c: tc }))
              : [{ id: `${a.name}@${env}`, c }],
          ),
        );
        let compared = 0;
        for (const { id, c } of cells) {
          if (c.format !== "kustomize" || !c.rendered || c.rendered.status === "skipped" || c.rendered.status === "failed")
            continue;
          compared++;
          expect(
            c.rendered.status,
            `${id}: only rendered ${c.rendered.onlyRendered.join(",")}; only static ${c.rendered.onlyStatic.join(",")}`,
          ).toBe("agree");
        }
        const floor = KUSTOMIZE_CELLS_COMPARED_AT_LEAST[folder] ?? 0;
        const notCompared = cells
          .filter(
            ({ c }) =>
              c.format === "kustomize" && c.rendered && (c.rendered.status === "skipped" || c.rendered.status === "failed"),
          )
          .map(({ id, c }) => `${id} ${c.rendered?.status}: ${c.rendered?.reason ?? ""}`);
        expect(
          compared,
          `Kustomize cells compared with kubectl; not compared: ${notCompared.slice(0, 5).join("; ")}`,
        ).toBeGreaterThanOrEqual(floor);
        // The rendered answer never changes what conformance expects.
        for (const e of expected.cells) expectCellImages(rendered, expected, e);
      });

      // The Helm oracle: every Helm cell whose chart is in the copy and renders offline agrees.
      (helm.binary || inCI ? conformanceIt(folder, T.helm) : it.skip)(T.helm, async () => {
        const rendered = await loadRendered();
        const generated = new Set((await load()).apps.flatMap((a) => Object.values(a.environments)).filter((c) => c.rendered));
        let compared = 0;
        const notCompared: string[] = [];
        for (const a of rendered.apps)
          for (const [env, c] of Object.entries(a.environments)) {
            if (c.format !== "helm" || !c.rendered || generated.has(c)) continue;
            if (c.rendered.status === "failed" || c.rendered.status === "skipped") {
              notCompared.push(`${a.name}@${env}: ${c.rendered.reason ?? ""}`);
              continue;
            }
            compared++;
            expect(
              c.rendered.status,
              `${a.name}@${env}: only rendered ${c.rendered.onlyRendered.join(",")}; only static ${c.rendered.onlyStatic.join(",")}`,
            ).toBe("agree");
          }
        expect(compared, `Helm cells compared; not compared: ${notCompared.slice(0, 3).join("; ")}`).toBeGreaterThanOrEqual(
          HELM_CELLS_COMPARED_AT_LEAST[folder] ?? 0,
        );
      });

      conformanceIt(folder, T.unresolvable)(T.unresolvable, async () => {
        const s = await load();
        for (const u of expected.unresolvable) {
          const cell = cellAt(s, u.app, u.env);
          expect(cell, `${u.app}@${u.env}`).toBeDefined();
          // Unresolved with a reason, or shown with a label that says what is wrong (implicit latest, placeholder).
          const labelled = cell?.images.filter((i) => i.labels?.length).length ?? 0;
          expect((cell?.unresolved.length ?? 0) + labelled, `${u.app}@${u.env} unresolved or labelled`).toBeGreaterThan(0);
          expect(cell?.warnings.length, `${u.app}@${u.env} warnings`).toBeGreaterThan(0);
        }
      });
    });
  }
});
