/**
 * Image strings found in a cell's sources (a container's `image:`, a Helm values key) and how they
 * become the cell's image references: one per image, listing every workload that runs it, while
 * templates, invalid strings and placeholders become unresolved entries with a reason.
 */
import type { HelmImageHit } from "./helm-values";
import { isPlaceholderImage, isTemplated, looksLikeImage, normaliseRepository, splitImage } from "./image-ref";
import { visitContainers } from "./kustomize-images";
import { imageSetters, type KResource } from "./kustomize-resource";
import type { ImageReference, ImageSetBy, ScanWarning, SourcePos, UnresolvedImage } from "./types";
import { getPos, str } from "./yaml-source";

/** One image string and where it is set, before classify() makes it a reference. */
export interface Hit {
  image: string;
  pos: SourcePos;
  setBy: ImageSetBy;
  usedBy: string;
  keyPath?: string;
  helmKeys?: ImageReference["helmKeys"];
}

export function containerHits(r: KResource, fallback: SourcePos): Hit[] {
  const hits: Hit[] = [];
  visitContainers(r.obj, (c) => {
    if (typeof c.image !== "string") return;
    const setter = imageSetters.get(c);
    const pos = getPos(c, "image") ?? fallback;
    hits.push({ image: c.image, pos, setBy: setter ?? "manifest", usedBy: `${r.kind}/${r.name}:${str(c.name) ?? "?"}` });
  });
  return hits;
}

export function helmHitToHit(h: HelmImageHit, setBy: ImageSetBy, usedByPrefix: string, fallback: SourcePos): Hit {
  return {
    image: h.image,
    pos: h.digestPos ?? h.tagPos ?? h.stringPos ?? h.repositoryPos ?? fallback,
    setBy,
    usedBy: `${usedByPrefix}${h.keyPath}`,
    keyPath: h.keyPath,
    helmKeys: { ...h.keys, digestKeyPresent: h.digestKeyPresent },
  };
}

function toReference(hit: Hit, own: ReadonlySet<string>): ImageReference {
  const p = splitImage(hit.image);
  return {
    repository: p.name,
    repositoryNormalised: normaliseRepository(p.name),
    tag: p.tag ?? null,
    digest: p.digest ?? null,
    pinned: p.digest !== undefined,
    source: hit.pos,
    inherited: !own.has(hit.pos.file),
    setBy: hit.setBy,
    usedBy: [hit.usedBy],
    ...(hit.keyPath !== undefined ? { keyPath: hit.keyPath } : {}),
    ...(hit.helmKeys !== undefined ? { helmKeys: hit.helmKeys } : {}),
  };
}

/** Turns raw image strings into references; placeholders and templates become unresolved entries with a reason. */
export function classify(
  hits: Hit[],
  own: ReadonlySet<string>,
  unresolved: UnresolvedImage[],
  warnings: ScanWarning[],
): ImageReference[] {
  const byImage = new Map<string, ImageReference>();
  for (const h of hits) {
    if (isTemplated(h.image)) {
      const reason = `image '${h.image}' is a template expression, filled in outside git`;
      unresolved.push({ reference: h.image, reason, source: h.pos });
      warnings.push({ ...h.pos, message: reason, code: "templated-image" });
      continue;
    }
    if (!looksLikeImage(h.image)) {
      const reason = `'${h.image}' is not a valid image reference`;
      unresolved.push({ reference: h.image, reason, source: h.pos });
      warnings.push({ ...h.pos, message: reason, code: "invalid-image" });
      continue;
    }
    const parsed = splitImage(h.image);
    if (isPlaceholderImage(parsed)) {
      const reason = `placeholder image '${h.image}' (bare name, no registry, tag or digest): a build tool such as skaffold substitutes the real image at deploy time; it is not in git`;
      if (!unresolved.some((u) => u.reference === h.image)) {
        unresolved.push({ reference: h.image, reason, source: h.pos });
        warnings.push({ ...h.pos, message: reason, code: "placeholder-image" });
      }
      continue;
    }
    const existing = byImage.get(h.image);
    if (existing) {
      if (!existing.usedBy.includes(h.usedBy)) existing.usedBy.push(h.usedBy);
      continue;
    }
    byImage.set(h.image, toReference(h, own));
  }
  return [...byImage.values()];
}
