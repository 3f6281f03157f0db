/**
 * Scan benchmark: a generated tree of 500 apps × 4 environments (Kustomize base + overlays), scanned from
 * disk. Target: the scan finishes in under 2 s on a 2-core machine. Also checks that an edit touches only
 * the digest line. Run with `npm run bench:gitops` (or `npx tsx bench/gitops.ts`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { planDigestEdit } from "../lib/gitops/plan-edit";
import { scanRepository } from "../lib/gitops/scan";
import { openLocalRepo } from "../lib/snapshot/local-reader";

const ENVS = ["dev", "test", "staging", "prod"];

function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, "0")}`;
}

function generate(root: string, apps: number): number {
  let files = 0;
  const write = (p: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
    files++;
  };
  for (let a = 0; a < apps; a++) {
    const app = `svc-${a}`;
    write(
      `apps/${app}/base/kustomization.yaml`,
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n",
    );
    write(
      `apps/${app}/base/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: 1\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: ghcr.io/acme/${app}-migrate:1.0.0\n      containers:\n        - name: ${app}\n          image: ghcr.io/acme/${app}:1.0.0\n          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n        - name: proxy\n          image: envoyproxy/envoy:v1.30.1\n`,
    );
    write(
      `apps/${app}/base/service.yaml`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\nspec:\n  ports:\n    - port: 80\n`,
    );
    ENVS.forEach((env, i) => {
      write(
        `apps/${app}/overlays/${env}/kustomization.yaml`,
        `# ${env} overlay of ${app}\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${env}\nresources:\n  - ../../base\npatches:\n  - path: replicas.yaml\nimages:\n  - name: ghcr.io/acme/${app}\n    newTag: "1.${i}.0"\n    digest: ${digest(a * 10 + i)}\n`,
      );
      write(
        `apps/${app}/overlays/${env}/replicas.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: ${i + 1}\n`,
      );
    });
  }
  return files;
}

export interface GitopsFigures {
  apps: number;
  files: number;
  readMs: number;
  scanMs: number;
  filesPerSecond: number;
  cells: number;
  images: number;
  warnings: number;
  editPath: string;
  changedLines: string[];
  /** scan < 2 s, every cell found, the edit touches only the digest line. */
  ok: boolean;
}

export const GITOPS_TARGETS = { scanMs: 2000 };

/** Generates apps × 4 environments on disk, scans it, plans one edit. */
export async function runGitopsBench(apps = 500): Promise<GitopsFigures> {
  const root = mkdtempSync(path.join(tmpdir(), "ladder-bench-"));
  try {
    const files = generate(root, apps);
    const t0 = performance.now();
    const snap = await (await openLocalRepo(root, { worktree: true })).snapshot();
    const t1 = performance.now();
    const scan = await scanRepository(snap);
    const t2 = performance.now();
    const cells = scan.apps.reduce((n, a) => n + Object.keys(a.environments).length, 0);
    const images = scan.apps.reduce((n, a) => n + Object.values(a.environments).reduce((m, c) => m + c.images.length, 0), 0);
    const scanMs = t2 - t1;
    const plan = await planDigestEdit(snap, scan, {
      app: "svc-7",
      env: "prod",
      image: "ghcr.io/acme/svc-7",
      digest: digest(999_999),
    });
    const changed = plan.unifiedDiff.split("\n").filter((l) => /^[+-](?![+-])/.test(l));
    const ok =
      scanMs < GITOPS_TARGETS.scanMs &&
      cells === apps * ENVS.length &&
      changed.length === 2 &&
      changed.every((l) => l.includes("digest:"));
    return {
      apps,
      files,
      readMs: t1 - t0,
      scanMs,
      filesPerSecond: (files / scanMs) * 1000,
      cells,
      images,
      warnings: scan.warnings.length,
      editPath: plan.path,
      changedLines: changed,
      ok,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const f = await runGitopsBench(Number(process.argv[2] ?? 500));
  process.stdout.write(
    [
      `tree: ${f.apps} apps × ${ENVS.length} envs, ${f.files} files (read ${f.readMs.toFixed(0)} ms)`,
      `scan: ${f.scanMs.toFixed(0)} ms, ${f.filesPerSecond.toFixed(0)} files/s, ${f.cells} cells, ${f.images} images, ${f.warnings} warnings`,
      `edit: ${f.editPath} changes ${f.changedLines.length} line(s): ${f.changedLines.map((l) => l.trim().slice(0, 40)).join(" | ")}`,
      f.ok ? "OK (scan < 2 s, edit touches only the digest line)" : "FAIL",
      "",
    ].join("\n"),
  );
  if (!f.ok) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void main();
