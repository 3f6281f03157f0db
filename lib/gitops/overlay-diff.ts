import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { RE2JS } from "re2js";
import type { RepoSnapshot } from "../snapshot/types";
import { findByName } from "../util/find-by-name";
import { cellAt, planAt, splitColumn } from "./columns";
import { mergeValues } from "./helm-values";
import { type ImagePair, relateCells } from "./image-relation";
import { originalName } from "./kustomize-resource";
import { environmentPolicies } from "./ladder-config";
import type { CellPlan } from "./layout-plan";
import { getBuild } from "./resolve-kustomize";
import { type ScanContext, scanContext, scanRepository } from "./scan";
import type { ScanResult, TargetCell } from "./types";
import { isObject, type Json, type JsonObject, str } from "./yaml-source";

/** Keys that differ between environments by design when ladder.yaml says nothing. */
export const DEFAULT_ALLOWED_DRIFT = ["replicas", "resources", "host", "hosts", "hostnames", "namespace"];

export type Classification = "expected" | "drift";

export interface FileDiff {
  /** Path relative to each environment's own directory. */
  name: string;
  fromPath?: string;
  toPath?: string;
  status: "same" | "changed" | "only-from" | "only-to";
  unifiedDiff: string;
}

export interface SemanticChange {
  /** `Deployment/api` or `values` for Helm. */
  resource: string;
  /** Dotted key path; list items keyed by name where they have one (`containers[api].image`). */
  keyPath: string;
  change: "added" | "removed" | "changed";
  from?: Json;
  to?: Json;
  classification: Classification;
  reason: string;
}

export interface Thinness {
  ownLines: number;
  sharedLines: number;
  /** Own lines / all lines: small means a thin overlay over a shared base. */
  ratio: number;
}

export interface EnvironmentDiff {
  app: string;
  from: string;
  to: string;
  images: ImagePair[];
  files: FileDiff[];
  semantic: SemanticChange[];
  /** Semantic diff of the rendered output, when the scan rendered both cells. */
  rendered?: SemanticChange[];
  thinness: Record<string, Thinness>;
  driftCount: number;
}

/** An `allowedDrift` glob, compiled once per diff rather than once per changed key. */
interface DriftGlob {
  glob: string;
  re: RE2JS | undefined;
}

/**
 * `*` is one key segment, `**` one or more. Globs come from ladder.yaml and key paths from the
 * manifests, so both are repository content: they run on RE2 (linear time), because under
 * `new RegExp` a glob of several `*` in one segment backtracks polynomially in the key's length
 * (each `[^.]+` retries every split of the others; eight of them on a 40-character key took 0.4 s).
 */
function compileGlob(glob: string): DriftGlob {
  const body = glob
    .split(".")
    .map((seg) => (seg === "**" ? ".+" : seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^.]+")))
    .join("\\.");
  try {
    return { glob, re: RE2JS.compile(`(^|\\.)${body}(\\.|$)`) };
  } catch (err) {
    // Every metacharacter is escaped, so this should not happen; a glob that still fails allows nothing.
    console.warn(`allowedDrift glob ${JSON.stringify(glob)} did not compile`, err);
    return { glob, re: undefined };
  }
}

/** `[name]` list selectors; RE2 because a key of many `[` without a `]` is quadratic under `new RegExp`. */
const LIST_SELECTOR = RE2JS.compile("\\[([^\\]]+)\\]");

/** Key path with list selectors flattened to segments, for glob matching (`containers.api.resources.limits`). */
function matchable(keyPath: string): string {
  return LIST_SELECTOR.matcher(keyPath).replaceAll(".$1");
}

function classify(keyPath: string, allowed: readonly DriftGlob[]): { classification: Classification; reason: string } {
  const m = matchable(keyPath);
  if (
    /(^|\.)(containers|initContainers|ephemeralContainers)\.[^.]+\.image$/.test(m) ||
    /(^|\.)image(\.(repository|tag|digest|registry))?$/.test(m) ||
    /(^|\.)(tag|digest)$/.test(m)
  ) {
    return { classification: "expected", reason: "image (what promotions move)" };
  }
  if (/^metadata\.(name|namespace)$/.test(m)) return { classification: "expected", reason: "environment identity" };
  const hit = allowed.find((g) => g.re?.test(m));
  return hit
    ? { classification: "expected", reason: `allowed to differ (${hit.glob})` }
    : { classification: "drift", reason: "not allowed to differ by policy" };
}

const NAME_KEYS = ["name", "mountPath", "containerPort", "ip"];

function listKey(item: Json, i: number): string {
  if (isObject(item))
    for (const k of NAME_KEYS) {
      const name = str(item[k]);
      if (name !== undefined) return name;
    }
  return String(i);
}

/** Structural diff: keys added, removed or changed, lists paired by name where items have one. */
export function semanticDiff(
  a: Json | undefined,
  b: Json | undefined,
  prefix = "",
): { keyPath: string; change: SemanticChange["change"]; from?: Json; to?: Json }[] {
  const out: { keyPath: string; change: SemanticChange["change"]; from?: Json; to?: Json }[] = [];
  const join = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in b)) out.push({ keyPath: join(k), change: "removed", from: a[k] });
      else if (!(k in a)) out.push({ keyPath: join(k), change: "added", to: b[k] });
      else out.push(...semanticDiff(a[k], b[k], join(k)));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && (a.some(isObject) || b.some(isObject))) {
    const ka = new Map(a.map((x, i) => [listKey(x, i), x]));
    const kb = new Map(b.map((x, i) => [listKey(x, i), x]));
    for (const k of new Set([...ka.keys(), ...kb.keys()])) {
      const p = `${prefix}[${k}]`;
      if (!kb.has(k)) out.push({ keyPath: p, change: "removed", from: ka.get(k) });
      else if (!ka.has(k)) out.push({ keyPath: p, change: "added", to: kb.get(k) });
      else out.push(...semanticDiff(ka.get(k), kb.get(k), p));
    }
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ keyPath: prefix, change: "changed", from: a, to: b });
  return out;
}

function resourcesOf(ctx: ScanContext, plan: CellPlan): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  if (plan.format === "helm") {
    let values: JsonObject = {};
    for (const f of plan.helm?.valueFiles ?? []) {
      const d = ctx.store.load(f).docs[0]?.value;
      if (isObject(d)) values = mergeValues(values, d);
    }
    out.set("values", values);
    return out;
  }
  const paths = plan.format === "kustomize" ? [plan.path, ...plan.extraPaths] : [];
  for (const p of paths) {
    for (const r of getBuild(ctx, p).resources) {
      if (plan.select?.origins && !plan.select.origins.includes(r.origin)) continue;
      if (plan.select?.workloads && !plan.select.workloads.includes(originalName(r))) continue;
      out.set(`${r.kind}/${originalName(r)}`, r.obj);
    }
  }
  for (const f of plan.manifests?.files ?? []) {
    for (const d of ctx.store.load(f).docs) {
      if (!isObject(d.value) || !isObject(d.value.metadata)) continue;
      const name = typeof d.value.metadata.name === "string" ? d.value.metadata.name : "";
      if (plan.select?.workloads && !plan.select.workloads.includes(name)) continue;
      out.set(`${String(d.value.kind)}/${name}`, d.value);
    }
  }
  return out;
}

function lineCount(text: string | undefined): number {
  if (!text) return 0;
  return text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#")).length;
}

function thinness(ctx: ScanContext, cell: TargetCell): Thinness {
  const own = cell.ownFiles.reduce((n, f) => n + lineCount(ctx.store.text(f)), 0);
  const shared = cell.sharedFiles.reduce((n, f) => n + lineCount(ctx.store.text(f)), 0);
  return { ownLines: own, sharedLines: shared, ratio: own + shared === 0 ? 0 : Math.round((own / (own + shared)) * 1000) / 1000 };
}

function relativeNames(cell: TargetCell): Map<string, string> {
  const baseDir = cell.format === "helm" ? path.posix.dirname(cell.path) : cell.path;
  const m = new Map<string, string>();
  for (const f of cell.ownFiles) {
    // The env's primary values file pairs with the other env's primary, whatever it is called.
    const name = f === cell.path ? "(primary)" : path.posix.relative(baseDir, f);
    m.set(name, f);
  }
  return m;
}

/**
 * Compares two environments of an app: images side by side, a line diff of each environment's own files
 * paired by name, and a semantic diff of what each builds, every difference classified as expected
 * (images, keys the policy allows) or drift.
 */
export async function diffEnvironments(
  snapshot: RepoSnapshot,
  scan: ScanResult,
  app: string,
  from: string,
  to: string,
): Promise<EnvironmentDiff> {
  let ctx = scanContext(scan);
  if (!ctx) ctx = scanContext(await scanRepository(snapshot));
  if (!ctx) throw new Error("scan context unavailable");
  const appResult = findByName(scan.apps, app);
  // `from`/`to` address an environment or one of its targets (`production/prod-eu-1`).
  const fromCell = cellAt(appResult, from);
  const toCell = cellAt(appResult, to);
  const plans = findByName(ctx.plan.apps, app)?.cells;
  const fromPlan = planAt(plans, from);
  const toPlan = planAt(plans, to);
  if (!appResult || !fromCell || !toCell || !fromPlan || !toPlan)
    throw new Error(`app ${app} is not deployed in both ${from} and ${to}`);
  const policy = ctx.config ? environmentPolicies(ctx.config).find((p) => p.name === splitColumn(to).env) : undefined;
  const allowed = (policy && policy.allowedDrift.length > 0 ? policy.allowedDrift : DEFAULT_ALLOWED_DRIFT).map(compileGlob);

  await ctx.store.ensure([...fromCell.ownFiles, ...toCell.ownFiles, ...fromCell.sharedFiles, ...toCell.sharedFiles]);
  const a = relativeNames(fromCell);
  const b = relativeNames(toCell);
  const files: FileDiff[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const fa = a.get(name);
    const fb = b.get(name);
    const ta = fa ? (ctx.store.text(fa) ?? "") : "";
    const tb = fb ? (ctx.store.text(fb) ?? "") : "";
    const status: FileDiff["status"] = !fa ? "only-to" : !fb ? "only-from" : ta === tb ? "same" : "changed";
    files.push({
      name,
      fromPath: fa,
      toPath: fb,
      status,
      unifiedDiff:
        status === "same" ? "" : createTwoFilesPatch(fa ?? "/dev/null", fb ?? "/dev/null", ta, tb, from, to, { context: 3 }),
    });
  }

  const ra = resourcesOf(ctx, fromPlan);
  const rb = resourcesOf(ctx, toPlan);
  const semantic: SemanticChange[] = [];
  for (const key of [...new Set([...ra.keys(), ...rb.keys()])].sort()) {
    const oa = ra.get(key);
    const ob = rb.get(key);
    if (!oa || !ob) {
      semantic.push({
        resource: key,
        keyPath: "",
        change: oa ? "removed" : "added",
        classification: "drift",
        reason: `only in ${oa ? from : to}`,
      });
      continue;
    }
    for (const d of semanticDiff(oa, ob)) semantic.push({ resource: key, ...d, ...classify(d.keyPath, allowed) });
  }
  const renderedDiff =
    fromCell.rendered?.status === "agree" || fromCell.rendered?.status === "disagree"
      ? toCell.rendered && (toCell.rendered.status === "agree" || toCell.rendered.status === "disagree")
        ? semanticDiff({ images: [...fromCell.rendered.images].sort() }, { images: [...toCell.rendered.images].sort() }).map(
            (d) => ({ resource: "rendered", ...d, ...classify("image", allowed) }),
          )
        : undefined
      : undefined;
  return {
    app,
    from,
    to,
    images: relateCells(fromCell, toCell),
    files,
    semantic,
    ...(renderedDiff ? { rendered: renderedDiff } : {}),
    thinness: { [from]: thinness(ctx, fromCell), [to]: thinness(ctx, toCell) },
    driftCount: semantic.filter((s) => s.classification === "drift").length,
  };
}
