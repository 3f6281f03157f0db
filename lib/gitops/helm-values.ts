import { formatImage, looksLikeImage, splitImage } from "./image-ref";
import type { SourcePos } from "./types";
import { cloneJson, copyMeta, getPos, isObject, type Json, type JsonObject, scalarText } from "./yaml-source";

/**
 * Helm's values merge: later files win; maps merge key by key, lists and scalars are replaced,
 * and an explicit null removes a key set by an earlier file.
 */
export function mergeValues(base: JsonObject, over: JsonObject): JsonObject {
  const out = cloneJson(base);
  mergeInto(out, over);
  return out;
}

function mergeInto(target: JsonObject, over: JsonObject): void {
  for (const [k, v] of Object.entries(over)) {
    const t = target[k];
    if (v === null) delete target[k];
    else if (isObject(v) && isObject(t)) mergeInto(t, v);
    else {
      target[k] = cloneJson(v);
      copyMeta(over, k, target, k);
    }
  }
}

/** A configured image location in values: key paths relative to the values root. */
export interface HelmImageKeys {
  repository: string;
  tag?: string;
  digest?: string;
  registry?: string;
}

export interface HelmImageHit {
  image: string;
  /** Dotted key path of the mapping (`image`, `redis`, `backend.image`). */
  keyPath: string;
  repositoryPos?: SourcePos;
  tagPos?: SourcePos;
  digestPos?: SourcePos;
  /** Position of a single-string `image: repo:tag` value. */
  stringPos?: SourcePos;
  /** Keys used, so an edit writes the digest where the chart reads it. */
  keys: { repository?: string; tag?: string; digest?: string; image?: string };
  /** The values already have a digest key here (so the chart reads one). */
  digestKeyPresent: boolean;
}

function getIn(v: JsonObject, dotted: string): { parent: JsonObject; key: string } | undefined {
  const parts = dotted.split(".");
  let cur: Json = v;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isObject(cur)) return undefined;
    cur = cur[parts[i] ?? ""] as Json;
  }
  const key = parts[parts.length - 1] ?? "";
  return isObject(cur) ? { parent: cur, key } : undefined;
}

/** Fills each `{dotted.key}` of a pattern from the values; undefined when one is not set. */
function composeKeys(values: JsonObject, pattern: string): { text: string; pos?: SourcePos } | undefined {
  let pos: SourcePos | undefined;
  let missing = false;
  const text = pattern.replace(/\{([^{}]+)\}/g, (_, key: string) => {
    const at = getIn(values, key.trim());
    const v = at ? scalarText(at.parent, at.key) : undefined;
    if (!v || !at) {
      missing = true;
      return "";
    }
    pos ??= getPos(at.parent, at.key);
    return v;
  });
  return missing ? undefined : { text, pos };
}

/** A tag the values set where no repository is set beside it: the chart decides the repository. */
export interface HelmTagOnly {
  tag: string;
  keyPath: string;
  pos?: SourcePos;
}

/**
 * Tags set without a repository (`image.tag`, `<component>.image.tag`, `imageTag`, `global.imageTag`):
 * with the chart outside the repository, that is all the values say about an image.
 */
export function tagsWithoutRepository(
  values: JsonObject,
  hits: readonly HelmImageHit[],
  only?: readonly string[],
): HelmTagOnly[] {
  const out: HelmTagOnly[] = [];
  if (only) {
    // The layout said which keys hold this app's tags (`global.webTag` of a values file shared by apps).
    for (const key of only) {
      const at = getIn(values, key);
      const tag = at ? scalarText(at.parent, at.key) : undefined;
      if (at && tag) out.push({ tag, keyPath: key, pos: getPos(at.parent, at.key) });
    }
    return out;
  }
  const covered = (kp: string) => hits.some((h) => h.keyPath === kp || h.keys.tag === kp);
  const walk = (m: JsonObject, keyPath: string[], depth: number): void => {
    if (depth > 32 || disabled(m)) return;
    for (const [k, v] of Object.entries(m)) {
      const kp = [...keyPath, k].join(".");
      if (isObject(v)) walk(v, [...keyPath, k], depth + 1);
      else if (
        (typeof v === "string" || typeof v === "number") &&
        (k === "tag" || /^image_?tag$/i.test(k)) &&
        !("repository" in m) &&
        !covered(keyPath.join(".")) &&
        !covered(kp)
      )
        out.push({ tag: String(v), keyPath: kp, pos: getPos(m, k) });
    }
  };
  walk(values, [], 0);
  return out;
}

function disabled(m: JsonObject): boolean {
  return m.enabled === false || m.enable === false;
}

/**
 * Finds images in merged Helm values: mappings with `repository` (plus `registry`, `tag`, `digest`),
 * the common `image: repo:tag` string form, and configured key paths. Blocks switched off with
 * `enabled: false` (on the mapping or any parent) are not rendered by charts, so they are skipped.
 */
export function extractHelmImages(
  values: JsonObject,
  configured: readonly HelmImageKeys[] = [],
  appVersion?: string,
): HelmImageHit[] {
  const hits: HelmImageHit[] = [];
  const globalRegistry =
    isObject(values.global) && typeof values.global.imageRegistry === "string" && values.global.imageRegistry
      ? values.global.imageRegistry
      : undefined;
  const claimed = new Set<string>();
  for (const c of configured) {
    // A composed repository (`{global.registry}/shop/web`) reads each `{key}` from the values.
    const composed = c.repository.includes("{") ? composeKeys(values, c.repository) : undefined;
    if (c.repository.includes("{") && !composed) continue;
    const repo = composed ? undefined : getIn(values, c.repository);
    if (!composed && !repo) continue;
    const repository = composed ? composed.text : repo ? scalarText(repo.parent, repo.key) : undefined;
    if (!repository) continue;
    const tagAt = c.tag ? getIn(values, c.tag) : undefined;
    const digestAt = c.digest ? getIn(values, c.digest) : undefined;
    const regAt = c.registry ? getIn(values, c.registry) : undefined;
    const registry = regAt ? scalarText(regAt.parent, regAt.key) : globalRegistry;
    const tag = tagAt ? scalarText(tagAt.parent, tagAt.key) : undefined;
    const digest = digestAt ? scalarText(digestAt.parent, digestAt.key) : undefined;
    const keyPath = (composed ? (c.tag ?? "") : c.repository).split(".").slice(0, -1).join(".");
    claimed.add(keyPath);
    hits.push({
      image: formatImage({
        name: registry && !composed ? `${registry}/${repository}` : repository,
        tag: tag || undefined,
        digest: digest || undefined,
      }),
      keyPath,
      repositoryPos: composed ? composed.pos : repo ? getPos(repo.parent, repo.key) : undefined,
      tagPos: tagAt ? getPos(tagAt.parent, tagAt.key) : undefined,
      digestPos: digestAt ? getPos(digestAt.parent, digestAt.key) : undefined,
      keys: { repository: c.repository, tag: c.tag, digest: c.digest },
      digestKeyPresent: c.digest !== undefined,
    });
  }
  const walk = (m: JsonObject, keyPath: string[], depth: number): void => {
    if (depth > 32 || disabled(m)) return;
    const kp = keyPath.join(".");
    const repository = typeof m.repository === "string" ? m.repository : undefined;
    if (repository && !claimed.has(kp) && keyPath[0] !== "global") {
      const registry = typeof m.registry === "string" && m.registry ? m.registry : globalRegistry;
      const tag = scalarText(m, "tag") || undefined;
      const digest = typeof m.digest === "string" && m.digest ? m.digest : undefined;
      const name = registry && !repository.startsWith(`${registry}/`) ? `${registry}/${repository}` : repository;
      // Charts conventionally fall back to the chart's appVersion when no tag is given.
      const effectiveTag = tag ?? (digest ? undefined : appVersion);
      const candidate = formatImage({ name, tag: effectiveTag, digest });
      if (looksLikeImage(candidate) && (tag || digest || repository.includes("/") || effectiveTag)) {
        hits.push({
          image: candidate,
          keyPath: kp,
          repositoryPos: getPos(m, "repository"),
          tagPos: tag ? getPos(m, "tag") : undefined,
          digestPos: digest ? getPos(m, "digest") : undefined,
          keys: {
            repository: `${kp ? `${kp}.` : ""}repository`,
            tag: `${kp ? `${kp}.` : ""}tag`,
            digest: `${kp ? `${kp}.` : ""}digest`,
          },
          digestKeyPresent: "digest" in m,
        });
      }
    }
    for (const [k, v] of Object.entries(m)) {
      if (k === "image" && typeof v === "string" && looksLikeImage(v) && keyPath[0] !== "global") {
        const p = splitImage(v);
        if (p.tag || p.digest || p.name.includes("/")) {
          hits.push({
            image: v,
            keyPath: [...keyPath, k].join("."),
            stringPos: getPos(m, k),
            keys: { image: [...keyPath, k].join(".") },
            digestKeyPresent: false,
          });
        }
      } else if (isObject(v)) walk(v, [...keyPath, k], depth + 1);
      else if (Array.isArray(v)) {
        v.forEach((x, i) => {
          if (isObject(x)) walk(x, [...keyPath, k, String(i)], depth + 1);
        });
      }
    }
  };
  walk(values, [], 0);
  return hits;
}

/** Values blocks switched on (`enabled: true`) that name no image: a chart template decides their image. */
export function enabledBlocksWithoutImages(
  values: JsonObject,
  hits: readonly HelmImageHit[],
): { keyPath: string; pos?: SourcePos }[] {
  const out: { keyPath: string; pos?: SourcePos }[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (!isObject(v) || v.enabled !== true) continue;
    if (hits.some((h) => h.keyPath === k || h.keyPath.startsWith(`${k}.`))) continue;
    // Feature toggles (ingress, hpa, service…) do not run containers; only flag blocks that look like workloads.
    if (
      /^(ingress|service|serviceAccount|hpa|autoscaling|serviceMonitor|podMonitor|httpRoute|route|tls|certificate|rbac|networkPolicy|podDisruptionBudget|pdb|metrics|persistence|config|probes)$/i.test(
        k,
      )
    )
      continue;
    out.push({ keyPath: k, pos: getPos(values, k) });
  }
  return out;
}
