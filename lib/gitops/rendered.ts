import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { mapLimit } from "../util/map-limit";
import { imageReference } from "./image-hits";
import { formatImage } from "./image-ref";
import { visitContainers } from "./kustomize-images";
import type { CellPlan } from "./layout-plan";
import { placeholderEvidence } from "./placeholder-evidence";
import { getBuild } from "./resolve-kustomize";
import type { ScanContext } from "./scan";
import type { AppResult, ImageReference, RenderedComparison, TargetCell } from "./types";
import { loadYaml } from "./yaml-source";

const execFileAsync = promisify(execFile);

export interface RenderOptions {
  /** `kustomize` or `kubectl`; found on the PATH when omitted. */
  binary?: string;
  timeoutMs?: number;
  concurrency?: number;
  /** Render only the cells this accepts (default: every Kustomize cell). */
  only?: (cell: TargetCell) => boolean;
}

/**
 * Warning codes of what a static build does not follow (replacements, Helm inflation, plugins
 * other than the builtin transformers): a cell with one is rendered, when a binary is there, even
 * when rendering was not asked for, so it shows what Kustomize builds instead of a partial answer.
 */
const STATIC_LIMITS = new Set(["replacements-unsupported", "helm-charts-unsupported", "transformer-unsupported"]);

export function staticReadingIsPartial(cell: TargetCell): boolean {
  return cell.warnings.some((w) => w.code !== undefined && STATIC_LIMITS.has(w.code));
}

export interface Renderer {
  command: string;
  args(dir: string): string[];
}

let onPath: Promise<Renderer | undefined> | undefined;

/**
 * Finds a Kustomize renderer: a standalone `kustomize`, else `kubectl kustomize`. Undefined when
 * neither runs. The PATH's answer is asked once per process.
 */
export function findRenderer(binary?: string): Promise<Renderer | undefined> {
  if (binary !== undefined) return probeRenderer(binary);
  onPath ??= probeRenderer(undefined);
  return onPath;
}

async function probeRenderer(binary: string | undefined): Promise<Renderer | undefined> {
  const tries: Renderer[] = [];
  if (!binary || path.basename(binary).startsWith("kustomize"))
    tries.push({ command: binary ?? "kustomize", args: (d) => ["build", d] });
  if (!binary || path.basename(binary).startsWith("kubectl"))
    tries.push({ command: binary ?? "kubectl", args: (d) => ["kustomize", d] });
  for (const r of tries) {
    try {
      await execFileAsync(r.command, r.command.endsWith("kubectl") ? ["version", "--client"] : ["version"], { timeout: 5000 });
      return r;
    } catch {
      // Not installed or not runnable: try the next one; no renderer simply means static only.
    }
  }
  return undefined;
}

/** Images in rendered pod specs (containers and initContainers of every object). */
export function imagesInRendered(yamlText: string): string[] {
  const out = new Set<string>();
  for (const d of loadYaml(yamlText, "<rendered>").docs) {
    visitContainers(d.value, (c) => {
      if (typeof c.image === "string") out.add(c.image);
    });
  }
  return [...out];
}

/** Renders one overlay directory of the snapshot in a private temporary copy (only the files the build read). */
export async function renderOverlay(
  ctx: ScanContext,
  dir: string,
  renderer: Renderer,
  timeoutMs: number,
): Promise<{ ok: true; output: string } | { ok: false; reason: string }> {
  const b = getBuild(ctx, dir);
  if (b.remote.length > 0)
    return { ok: false, reason: `remote bases are never fetched (${b.remote.map((r) => r.url).join(", ")})` };
  const tmp = await mkdtemp(path.join(tmpdir(), "ladder-render-"));
  try {
    // Kustomize also reads generator inputs and patch files, so copy whole kustomization directories.
    const wanted = new Set<string>(b.files);
    for (const d of b.dirs) for (const f of ctx.store.filesUnder(d)) wanted.add(f);
    const list = [...wanted].filter((f) => (ctx.store.files.get(f)?.size ?? 0) <= 1024 * 1024);
    await ctx.store.ensure(list);
    for (const f of list) {
      const text = ctx.store.text(f);
      if (text === undefined) continue;
      const abs = path.join(tmp, f);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, text);
    }
    const { stdout } = await execFileAsync(renderer.command, renderer.args(path.join(tmp, dir)), {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, output: stdout };
  } catch (err) {
    const e = err as { stderr?: string; message: string; killed?: boolean };
    return {
      ok: false,
      reason: e.killed ? `render timed out after ${timeoutMs} ms` : ((e.stderr || e.message).split("\n")[0] ?? "render failed"),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** An image reference as Kustomize renders it: the text as written. */
function asWritten(i: ImageReference): string {
  return i.written ?? formatImage({ name: i.repository, tag: i.tag ?? undefined, digest: i.digest ?? undefined });
}

function staticStrings(cell: TargetCell): string[] {
  const s = new Set<string>();
  // HelmRelease values are not pod specs: kustomize leaves them to Flux, so they cannot be compared.
  for (const i of cell.images) if (i.setBy !== "helm-release-values") s.add(asWritten(i));
  return [...s];
}

/**
 * Renders every Kustomize cell's overlays (bounded concurrency, timeout each) and compares the images with
 * static resolution. Disagreements are flagged on the cell; where the cell maps one-to-one to the overlays,
 * the rendered images replace the static ones (rendered truth wins) and keep a note of the static answer.
 */
export async function renderCells(ctx: ScanContext, apps: AppResult[], opts: RenderOptions = {}): Promise<void> {
  const renderer = await findRenderer(opts.binary);
  // An environment that fans out renders per target: each target's leaf is what a cluster builds.
  const cells: { app: AppResult; env: string; cell: TargetCell; plan: CellPlan | undefined }[] = [];
  const plans = new Map(ctx.plan.apps.map((a) => [a.name, a.cells]));
  for (const app of apps)
    for (const [env, cell] of Object.entries(app.environments)) {
      if (cell.format !== "kustomize") continue;
      const plan = plans.get(app.name)?.get(env);
      if (cell.targets)
        for (const [t, tc] of Object.entries(cell.targets))
          cells.push({ app, env, cell: tc, plan: plan?.targets?.find((p) => p.target === t) });
      else cells.push({ app, env, cell, plan });
    }
  if (opts.only) cells.splice(0, cells.length, ...cells.filter((c) => opts.only?.(c.cell)));
  if (cells.length === 0) return;
  if (!renderer) {
    for (const c of cells)
      c.cell.rendered = {
        status: "skipped",
        reason: "no kustomize or kubectl on the PATH",
        images: [],
        onlyRendered: [],
        onlyStatic: [],
      };
    return;
  }
  const dirs = [...new Set(cells.flatMap((c) => [c.cell.path, ...(c.cell.extraPaths ?? [])]))];
  // Each render is a child process: a small bound keeps a large repository from forking dozens at once.
  const limit = Math.max(1, Math.floor(opts.concurrency ?? 2));
  const rendered = new Map(
    await mapLimit(dirs, limit, async (d) => [d, await renderOverlay(ctx, d, renderer, opts.timeoutMs ?? 20_000)] as const),
  );
  for (const { cell, plan } of cells) {
    const paths = [cell.path, ...(cell.extraPaths ?? [])];
    const outs = paths.map((p) => rendered.get(p));
    const failed = outs.find((o) => !o?.ok);
    if (failed && !failed.ok) {
      cell.rendered = {
        status: failed.reason.startsWith("remote") ? "skipped" : "failed",
        reason: failed.reason,
        images: [],
        onlyRendered: [],
        onlyStatic: [],
      };
      continue;
    }
    const images = new Set<string>();
    for (const o of outs) if (o?.ok) for (const i of imagesInRendered(o.output)) images.add(i);
    // A cell that is only part of its overlay (one base of several) is compared with the whole overlay.
    const partial = plan?.select !== undefined;
    const staticSet = new Set(
      partial
        ? apps.flatMap((a) =>
            Object.values(a.environments)
              .flatMap((c) => (c.targets ? Object.values(c.targets) : [c]))
              .filter((c) => c.path === cell.path)
              .flatMap(staticStrings),
          )
        : staticStrings(cell),
    );
    const onlyRendered = [...images].filter((i) => !staticSet.has(i));
    const onlyStatic = partial ? [] : [...staticSet].filter((i) => !images.has(i));
    const cmp: RenderedComparison = {
      status: onlyRendered.length || onlyStatic.length ? "disagree" : "agree",
      images: [...images],
      onlyRendered,
      onlyStatic,
    };
    cell.rendered = cmp;
    if (cmp.status === "disagree" && !partial) applyRenderedTruth(ctx, cell, onlyRendered, onlyStatic);
  }
}

function applyRenderedTruth(ctx: ScanContext, cell: TargetCell, onlyRendered: string[], onlyStatic: string[]): void {
  const staticNote = onlyStatic.join(", ");
  cell.images = cell.images.filter((i) => !onlyStatic.includes(asWritten(i)));
  const evidence = placeholderEvidence(ctx.store);
  for (const r of onlyRendered) {
    const ref = imageReference(
      r,
      { source: { file: cell.ownFiles[0] ?? cell.path, line: 1 }, inherited: false, setBy: "manifest", usedBy: ["rendered"] },
      evidence,
    );
    cell.images.push({ ...ref, renderedOverride: { static: staticNote } });
  }
}
