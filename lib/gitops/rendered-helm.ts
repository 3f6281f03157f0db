/**
 * Rendered truth for Helm, the contract `kubectl kustomize` has for Kustomize (rendered.ts): each
 * Helm cell whose chart is in the repository is rendered with `helm template`, its values files
 * in the order the cell applies them, and the rendered images are compared with the static
 * reading. A disagreement is flagged on the cell (and warned about by the scan); the static
 * answer stays, since a chart may render images from values Ladder cannot edit.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { mapLimit } from "../util/map-limit";
import { materialise } from "./helm-generators";
import { renderHelm } from "./helm-render";
import { looksLikeImage, normaliseRepository, splitImage } from "./image-ref";
import type { ScanContext } from "./scan";
import type { AppResult, Cell } from "./types";

export interface HelmRenderOptions {
  binary: string;
  timeoutMs?: number;
  concurrency?: number;
}

/** One image as comparable text: normalised repository, tag, digest. */
function comparable(image: string): string {
  const p = splitImage(image);
  return `${normaliseRepository(p.name)}${p.tag ? `:${p.tag}` : ""}${p.digest ? `@${p.digest}` : ""}`;
}

/** A release name Helm accepts, from an app name. */
function releaseName(app: string): string {
  return (
    app
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 53) || "release"
  );
}

export async function renderHelmCells(ctx: ScanContext, apps: AppResult[], opts: HelmRenderOptions): Promise<void> {
  const work: { app: string; cell: Cell; chartDir: string; valueFiles: string[] }[] = [];
  for (const app of apps)
    for (const [env, cell] of Object.entries(app.environments)) {
      if (cell.format !== "helm" || cell.rendered) continue;
      const helm = ctx.plan.apps.find((a) => a.name === app.name)?.cells.get(env)?.helm;
      if (helm?.chartDir === undefined || !ctx.store.isFile(`${helm.chartDir ? `${helm.chartDir}/` : ""}Chart.yaml`)) continue;
      work.push({ app: app.name, cell, chartDir: helm.chartDir, valueFiles: helm.valueFiles });
    }
  if (work.length === 0) return;
  const root = await mkdtemp(path.join(tmpdir(), "ladder-helm-cells-"));
  try {
    const written = new Set<string>();
    await materialise(ctx.store, root, [...new Set(work.map((w) => w.chartDir))], written);
    const files = [...new Set(work.flatMap((w) => w.valueFiles))];
    await ctx.store.ensure(files);
    for (const f of files) await writeValues(ctx, root, f);
    await mapLimit(work, Math.max(1, Math.floor(opts.concurrency ?? 2)), async (w) => {
      const r = await renderHelm({
        binary: opts.binary,
        rootDir: root,
        chartDir: w.chartDir || ".",
        // Absolute: the cell's files are repository paths, not relative to the chart.
        valueFiles: w.valueFiles.map((f) => path.join(root, f)),
        releaseName: releaseName(w.app),
        timeoutMs: opts.timeoutMs ?? 20_000,
      });
      if (!r.ok) {
        w.cell.rendered = { status: "failed", reason: r.reason, images: [], onlyRendered: [], onlyStatic: [] };
        return;
      }
      const rendered = new Set(r.images.map((i) => comparable(i.image)));
      // What the static reading found, and what it explicitly called unknown (an image a layer
      // outside the repository may override): rendering with the repository alone shows the latter.
      const staticSet = new Set([
        ...w.cell.images.map((i) => comparable(`${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`)),
        ...w.cell.unresolved
          .map((u) => u.reference)
          .filter((ref) => !/^(chart|values|tag|generator|application):/.test(ref) && looksLikeImage(ref))
          .map(comparable),
      ]);
      const onlyRendered = [...rendered].filter((i) => !staticSet.has(i));
      const onlyStatic = [...staticSet].filter((i) => !rendered.has(i));
      w.cell.rendered = {
        status: onlyRendered.length || onlyStatic.length ? "disagree" : "agree",
        images: [...rendered],
        onlyRendered,
        onlyStatic,
      };
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeValues(ctx: ScanContext, root: string, file: string): Promise<void> {
  const text = ctx.store.text(file);
  if (text === undefined) return;
  const abs = path.join(root, file);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, text);
}
