import { createTwoFilesPatch } from "diff";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { RepoSnapshot } from "../snapshot/types";
import { FileStore } from "./file-store";
import { formatImage, isDigest, normaliseRepository } from "./image-ref";
import type { CellPlan } from "./layout-plan";
import { resolveCell } from "./resolve-cell";
import { type ScanContext, scanContext, scanRepository } from "./scan";
import type { Cell, ImageReference, ScanResult } from "./types";
import { editYaml, type YamlChange, type YamlPath } from "./yaml-edit";
import { MAX_ALIAS_COUNT } from "./yaml-source";

export interface DigestEditRequest {
  app: string;
  env: string;
  /** Repository as shown by the scan (as written or normalised), or a full reference. */
  image: string;
  /** The digest to run; omitted for a tag-only promotion (then `tag` is required and any digest pin goes). */
  digest?: string;
  /**
   * The tag to run beside the digest: a promotion sets the whole reference the source runs, so the
   * file never reads one version's tag with another version's digest. `null` removes the tag (the
   * source runs a bare digest); omitted keeps the tag the environment has (only digest lines change).
   */
  tag?: string | null;
  /**
   * One target of an environment that fans out (a canary): the edit goes into that target's own
   * overlay, so only it moves and the other targets keep what the environment's shared file sets.
   */
  target?: string;
}

export interface DigestEditPlan {
  /** The one file that changes: always inside the environment's own path. */
  path: string;
  before: string;
  after: string;
  unifiedDiff: string;
  /** What the environment ran before, and will run after. */
  from: ImageReference;
  to: { repository: string; tag: string | null; digest: string | null };
  /** False when the edit could not be kept to the reference's line(s) and the file was re-serialised. */
  minimal: boolean;
  /** The change in words: "set digest and tag of images entry 0 in …", "added images: entry", … */
  description: string;
  /**
   * An environment that fans out: per target, whether the change reaches it (it runs the new
   * reference after the edit) or it keeps a pin of its own (a canary, an override in its overlay).
   */
  targets?: { name: string; path: string; reached: boolean; runs: { tag: string | null; digest: string | null } | null }[];
}

export class EditPlanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EditPlanError";
  }
}

function findImage(cell: Cell, image: string): ImageReference {
  const wanted = image.includes("@") || /:[^/]+$/.test(image) ? image.replace(/@.*$/, "").replace(/:([^/:]+)$/, "") : image;
  const norm = normaliseRepository(wanted);
  const matches = cell.images.filter((i) => i.repository === wanted || i.repositoryNormalised === norm);
  if (matches.length === 0)
    throw new EditPlanError(
      `image ${image} is not deployed in this environment (found: ${cell.images.map((i) => i.repository).join(", ") || "none"})`,
    );
  if (matches.length === 1) return matches[0] as ImageReference;
  // An environment that fans out lists each target's image: what the environment itself sets is
  // the one not set in a target's own overlay (a canary keeps its pin, and the plan says so).
  if (cell.targets) {
    const targetDirs = Object.values(cell.targets).map((t) => `${t.path}/`);
    const shared = matches.filter((i) => !targetDirs.some((d) => i.source.file.startsWith(d)));
    const first = shared[0];
    if (first && shared.every((i) => i.digest === first.digest && i.tag === first.tag)) return first;
  }
  throw new EditPlanError(`image ${image} appears with several tags/digests here; promote them one by one`);
}

/** Path to the `key:` pair on a given line, searching every document of the file. */
export function pathAtLine(text: string, line: number, key: string): { docIndex: number; path: YamlPath } | undefined {
  const lc = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(all)) return undefined;
  let found: { docIndex: number; path: YamlPath } | undefined;
  const visit = (node: unknown, path: (string | number)[], docIndex: number, depth: number) => {
    if (found || depth > 64) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (k === undefined) continue;
        const keyNode = pair.key as Node;
        if (k === key && keyNode.range && lc.linePos(keyNode.range[0]).line === line && isScalar(pair.value)) {
          found = { docIndex, path: [...path, k] };
          return;
        }
        visit(pair.value, [...path, k], docIndex, depth + 1);
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) visit(node.items[i], [...path, i], docIndex, depth + 1);
    }
  };
  for (let i = 0; i < all.length; i++) visit(all[i]?.contents, [], i, 0);
  return found;
}

/** Index of the `images:` entry spanning `line` in a kustomization. */
function imagesEntryAtLine(text: string, line: number): number | undefined {
  const lc = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(all)) return undefined;
  const images = all[0]?.getIn(["images"], true);
  if (!isSeq(images)) return undefined;
  const idx = images.items.findIndex((it) => {
    const r = (it as Node | null)?.range;
    return r !== undefined && r !== null && lc.linePos(r[0]).line <= line && lc.linePos(Math.max(r[0], r[1] - 1)).line >= line;
  });
  return idx >= 0 ? idx : undefined;
}

/**
 * A document as plain data, with the alias limit every other reader uses: a file that is an alias
 * bomb is refused as an edit plan error naming it, never thrown as a raw yaml error.
 */
function plainDocument(d: { toJS(options: { maxAliasCount: number }): unknown }, file: string): unknown {
  try {
    return d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new EditPlanError(`${file}: cannot be read for editing: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
}

function kustomizationEntryFor(text: string, name: string, file: string): number | undefined {
  const all = parseAllDocuments(text);
  if (!Array.isArray(all)) return undefined;
  const images = (all[0] ? plainDocument(all[0], file) : null) as { images?: { name?: string }[] } | null;
  const idx = (images?.images ?? []).findIndex((e) => e?.name === name);
  return idx >= 0 ? idx : undefined;
}

function findHelmReleaseDoc(text: string, name: string | undefined, file: string): number | undefined {
  const all = parseAllDocuments(text);
  if (!Array.isArray(all)) return undefined;
  const idx = all.findIndex((d) => {
    const v = plainDocument(d, file) as { kind?: string; metadata?: { name?: string } } | null;
    return v?.kind === "HelmRelease" && (name === undefined || v.metadata?.name === name);
  });
  return idx >= 0 ? idx : undefined;
}

function keyPathSegments(keyPath: string): (string | number)[] {
  return keyPath.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The YAML changes that make a key pair (tag key, digest key) hold the wanted reference. */
function pairChanges(
  at: (key: string) => YamlPath,
  keys: { tag?: string; digest?: string },
  present: { tag: boolean; digest: boolean },
  want: { tag: string | null | undefined; digest: string | undefined },
): YamlChange[] {
  const changes: YamlChange[] = [];
  if (want.digest !== undefined && keys.digest) changes.push({ op: "set", path: at(keys.digest), value: want.digest });
  else if (want.digest === undefined && keys.digest && present.digest) changes.push({ op: "delete", path: at(keys.digest) });
  if (typeof want.tag === "string" && keys.tag) changes.push({ op: "set", path: at(keys.tag), value: want.tag });
  else if (want.tag === null && keys.tag && present.tag) changes.push({ op: "delete", path: at(keys.tag) });
  return changes;
}

interface ChosenChange {
  path: string;
  changes: YamlChange[];
  docIndex: number;
  description: string;
  /** False where the chart's template decides what a missing tag renders as: the tag is not checked. */
  tagChecked: boolean;
}

/** "digest and tag", "digest", "tag": what a change sets, for the description. */
function whatMoves(req: DigestEditRequest): string {
  if (req.digest === undefined) return "tag";
  return typeof req.tag === "string" ? "digest and tag" : req.tag === null ? "digest (dropping the tag)" : "digest";
}

/** Decides which file and which YAML change make env E run the new reference, touching only E's own files. */
function chooseChange(ctx: ScanContext, plan: CellPlan, cell: Cell, ref: ImageReference, req: DigestEditRequest): ChosenChange {
  const tag = req.tag === undefined ? (ref.tag ?? undefined) : (req.tag ?? undefined);
  const want = { tag: req.tag, digest: req.digest };
  const moves = whatMoves(req);
  const ownSource = !ref.inherited && cell.ownFiles.includes(ref.source.file);
  const text = (p: string) => {
    const t = ctx.store.text(p);
    if (t === undefined) throw new EditPlanError(`cannot read ${p}`);
    return t;
  };
  const entryChanges = (file: string, idx: number): YamlChange[] => {
    const entry = (
      plainDocument(parseAllDocuments(text(file))[0] ?? { toJS: () => null }, file) as {
        images?: Record<string, unknown>[];
      } | null
    )?.images?.[idx];
    return pairChanges(
      (k) => ["images", idx, k],
      { tag: "newTag", digest: "digest" },
      { tag: entry?.newTag !== undefined, digest: entry?.digest !== undefined },
      want,
    );
  };
  if (ownSource && ref.setBy === "images-transformer") {
    const idx = imagesEntryAtLine(text(ref.source.file), ref.source.line);
    if (idx === undefined) throw new EditPlanError(`images entry not found at ${ref.source.file}:${ref.source.line}`);
    return {
      path: ref.source.file,
      changes: entryChanges(ref.source.file, idx),
      docIndex: 0,
      description: `set ${moves} of images entry ${idx} in ${ref.source.file}`,
      tagChecked: true,
    };
  }
  if (ownSource && (ref.setBy === "manifest" || ref.setBy === "patch")) {
    const at = pathAtLine(text(ref.source.file), ref.source.line, "image");
    if (!at) throw new EditPlanError(`image field not found at ${ref.source.file}:${ref.source.line}`);
    const value = formatImage({ name: ref.repository, tag, digest: req.digest });
    return {
      path: ref.source.file,
      changes: [{ op: "set", path: at.path, value }],
      docIndex: at.docIndex,
      description: `set image in ${ref.source.file}`,
      tagChecked: true,
    };
  }
  if (ref.helmKeys && (ref.setBy === "helm-values" || ref.setBy === "helm-release-values")) {
    let file: string | undefined;
    let prefix: (string | number)[] = [];
    let docIndex = 0;
    if (ref.setBy === "helm-values") {
      file = ownSource ? ref.source.file : plan.helm?.ownValueFiles[0];
    } else {
      // A Flux HelmRelease: edit the environment's own patch of that release (spec.values.…).
      const release = /^HelmRelease\/([^:]+):/.exec(ref.usedBy[0] ?? "")?.[1];
      const found = ownSource ? findHelmReleaseDoc(text(ref.source.file), release, ref.source.file) : undefined;
      if (ownSource && found !== undefined) {
        file = ref.source.file;
        docIndex = found;
      } else {
        for (const f of cell.ownFiles) {
          const idx = findHelmReleaseDoc(text(f), release, f);
          if (idx !== undefined) {
            file = f;
            docIndex = idx;
            break;
          }
        }
      }
      if (!file)
        throw new EditPlanError(
          `HelmRelease ${release ?? "?"} is only defined in shared files; add a patch of it to ${plan.path} first`,
        );
      prefix = ["spec", "values"];
    }
    if (!file) throw new EditPlanError("the environment has no values file of its own");
    const keys = ref.helmKeys;
    const at = (k: string): YamlPath => [...prefix, ...keyPathSegments(k)];
    if (keys.image) {
      const value = formatImage({ name: ref.repository, tag, digest: req.digest });
      return {
        path: file,
        changes: [{ op: "set", path: at(keys.image), value }],
        docIndex,
        description: `set ${keys.image} in ${file}`,
        tagChecked: true,
      };
    }
    if (keys.digest && (keys.digestKeyPresent || req.digest === undefined)) {
      // A bare digest leaves the tag key alone: what the chart renders without a tag is the chart's choice.
      const changes = pairChanges(
        at,
        { tag: keys.tag, digest: keys.digest },
        { tag: ref.tag !== null, digest: !!keys.digestKeyPresent },
        {
          tag: req.tag === null ? undefined : req.tag,
          digest: req.digest,
        },
      );
      const what = [
        req.digest !== undefined || keys.digestKeyPresent ? keys.digest : undefined,
        typeof req.tag === "string" ? keys.tag : undefined,
      ]
        .filter(Boolean)
        .join(" and ");
      return { path: file, changes, docIndex, description: `set ${what} in ${file}`, tagChecked: req.tag !== null };
    }
    // The chart has no digest key: `tag: <tag>@<digest>` renders as repo:tag@digest with any repo:tag template.
    if (!keys.tag)
      throw new EditPlanError(`no tag or digest key for ${ref.repository}; configure helm image keys in ladder.yaml`);
    const value = req.digest === undefined ? (tag ?? "latest") : `${tag ?? "latest"}@${req.digest}`;
    return {
      path: file,
      changes: [{ op: "set", path: at(keys.tag), value }],
      docIndex,
      description:
        req.digest === undefined
          ? `set ${keys.tag} in ${file}`
          : `set ${keys.tag} to tag@digest in ${file} (the chart has no digest key)`,
      tagChecked: tag !== undefined,
    };
  }
  if (plan.format === "kustomize") {
    // Inherited (or set where the env cannot edit): the env's own kustomization gains or updates an images: entry.
    const kFile = ctx.store.kustomizationIn(plan.path);
    if (!kFile) throw new EditPlanError(`no kustomization in ${plan.path}`);
    const idx = kustomizationEntryFor(text(kFile), ref.repository, kFile);
    if (idx !== undefined)
      return {
        path: kFile,
        changes: entryChanges(kFile, idx),
        docIndex: 0,
        description: `set ${moves} of images entry ${idx} in ${kFile}`,
        tagChecked: true,
      };
    // Keep the tag beside the digest: Kustomize drops the tag when only `digest` is given.
    const item: Record<string, string> = {
      name: ref.repository,
      ...(tag ? { newTag: tag } : {}),
      ...(req.digest ? { digest: req.digest } : {}),
    };
    return {
      path: kFile,
      changes: [{ op: "append", path: ["images"], item }],
      docIndex: 0,
      description: `added images: entry for ${ref.repository} in ${kFile}`,
      tagChecked: true,
    };
  }
  throw new EditPlanError(
    `image ${ref.repository} is set in ${ref.source.file}, which is not this environment's own file; no safe edit`,
  );
}

/** Re-resolves the cell with the edited file in place: what the environment would run after the edit. */
export function reResolve(snapshot: RepoSnapshot, ctx: ScanContext, plan: CellPlan, editedPath: string, after: string): Cell {
  const store = new FileStore(snapshot, [...ctx.store.files.values()]);
  for (const p of ctx.store.files.keys()) {
    const t = ctx.store.text(p);
    if (t !== undefined) store.override(p, t);
  }
  store.override(editedPath, after);
  return resolveCell({ store, plan: ctx.plan, config: ctx.config, builds: new Map() }, plan);
}

/**
 * Plans a promotion's file change: set the reference (digest and tag) of `image` in environment `env`.
 * Only the environment's own file changes; comments, order and quoting survive; the result is
 * re-resolved and refused unless the environment then runs exactly the requested digest and tag.
 */
export async function planDigestEdit(snapshot: RepoSnapshot, scan: ScanResult, req: DigestEditRequest): Promise<DigestEditPlan> {
  if (req.digest !== undefined && !isDigest(req.digest)) throw new EditPlanError(`not a digest: ${req.digest}`);
  if (req.digest === undefined && typeof req.tag !== "string")
    throw new EditPlanError("nothing to promote: no digest and no tag");
  let ctx = scanContext(scan);
  if (!ctx) {
    const fresh = await scanRepository(snapshot);
    ctx = scanContext(fresh);
    if (!ctx) throw new EditPlanError("scan context unavailable");
  }
  const app = scan.apps.find((a) => a.name === req.app);
  const envCell = app?.environments[req.env];
  const envPlan = ctx.plan.apps.find((a) => a.name === req.app)?.cells.get(req.env);
  if (!app || !envCell || !envPlan) throw new EditPlanError(`app ${req.app} has no environment ${req.env}`);
  let cell: Cell = envCell;
  let plan: CellPlan = envPlan;
  if (req.target !== undefined) {
    const targetPlan = envPlan.targets?.find((t) => t.target === req.target);
    const targetCell = envCell.targets?.[req.target];
    if (!targetPlan || !targetCell)
      throw new EditPlanError(
        `${req.env} has no target ${req.target} (targets: ${Object.keys(envCell.targets ?? {}).join(", ") || "none"})`,
      );
    cell = targetCell;
    plan = targetPlan;
  }
  const where = req.target !== undefined ? `${req.env}/${req.target}` : req.env;
  const ref = findImage(cell, req.image);
  const change = chooseChange(ctx, plan, cell, ref, req);
  const ownDirs = plan.ownDirs;
  const isOwn =
    cell.ownFiles.includes(change.path) ||
    ownDirs.some((d) => change.path.startsWith(`${d}/`)) ||
    (plan.helm?.ownValueFiles ?? []).includes(change.path);
  if (!isOwn) throw new EditPlanError(`refusing to edit ${change.path}: it is not ${where}'s own file`);
  const before = ctx.store.text(change.path);
  if (before === undefined) throw new EditPlanError(`cannot read ${change.path}`);
  let after = before;
  let minimal = true;
  for (const c of change.changes) {
    let r: ReturnType<typeof editYaml>;
    try {
      r = editYaml(after, c, change.docIndex);
    } catch (error) {
      // The scan tolerates what the editor will not touch (duplicate keys, a broken sibling
      // document): a refusal naming the file, not an exception out of the preview.
      throw new EditPlanError(`cannot edit ${change.path}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
    }
    after = r.text;
    minimal &&= r.minimal;
  }
  const resolved = reResolve(snapshot, ctx, plan, change.path, after);
  const wantTag = req.tag === undefined ? ref.tag : req.tag;
  const got = resolved.images.find(
    (i) =>
      i.repositoryNormalised === ref.repositoryNormalised &&
      i.digest === (req.digest ?? null) &&
      (!change.tagChecked || i.tag === wantTag),
  );
  if (!got) {
    const wanted = `${ref.repository}${wantTag ? `:${wantTag}` : ""}${req.digest ? `@${req.digest}` : ""}`;
    throw new EditPlanError(
      `edit of ${change.path} would not make ${where} run ${wanted} (re-resolved: ${resolved.images.map((i) => `${i.repository}:${i.tag ?? ""}@${i.digest ?? ""}`).join(", ")})`,
    );
  }
  // Which targets the change reaches: for a canary, the environment as a whole re-resolved.
  const whole = req.target !== undefined ? reResolve(snapshot, ctx, envPlan, change.path, after) : resolved;
  const targets = whole.targets
    ? Object.entries(whole.targets).map(([name, t]) => {
        const image = t.images.find((i) => i.repositoryNormalised === ref.repositoryNormalised);
        return {
          name,
          path: t.path,
          reached: image !== undefined && image.digest === got.digest && image.tag === got.tag,
          runs: image ? { tag: image.tag, digest: image.digest } : null,
        };
      })
    : undefined;
  const unifiedDiff = createTwoFilesPatch(`a/${change.path}`, `b/${change.path}`, before, after, undefined, undefined, {
    context: 3,
  });
  return {
    path: change.path,
    before,
    after,
    unifiedDiff,
    from: ref,
    to: { repository: got.repository, tag: got.tag, digest: req.digest ?? null },
    minimal,
    description: change.description,
    ...(targets ? { targets } : {}),
  };
}
