/**
 * Image strings found in a cell's sources (a container's `image:`, a Helm values key) and how they
 * become the cell's image references: one per image, listing every workload that runs it, each
 * with labels for what is suspicious about it (image-labels.ts).
 */
import type { HelmImageHit } from "./helm-values";
import { imageLabels, LABEL_WARNING_CODE } from "./image-labels";
import { isPullableDigest, normaliseRepository, pullReference, splitImage } from "./image-ref";
import { visitContainers } from "./kustomize-images";
import { imageSetters, type KResource } from "./kustomize-resource";
import { NO_EVIDENCE, type PlaceholderEvidence } from "./placeholder-evidence";
import type { ImageReference, ImageSetBy, ScanWarning, SourcePos } from "./types";
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

/** One image string as the cell shows it: parsed, normalised for comparison, labelled. */
export function imageReference(
  image: string,
  at: Pick<ImageReference, "source" | "inherited" | "setBy" | "usedBy" | "keyPath" | "helmKeys">,
  evidence: PlaceholderEvidence,
): ImageReference {
  const p = splitImage(image);
  return {
    repository: p.name,
    repositoryNormalised: normaliseRepository(p.name),
    tag: p.tag ?? null,
    digest: p.digest ?? null,
    pinned: p.digest !== undefined && isPullableDigest(p.digest),
    written: image,
    pull: pullReference(p),
    labels: imageLabels(image, p, evidence),
    source: at.source,
    inherited: at.inherited,
    setBy: at.setBy,
    usedBy: at.usedBy,
    ...(at.keyPath !== undefined ? { keyPath: at.keyPath } : {}),
    ...(at.helmKeys !== undefined ? { helmKeys: at.helmKeys } : {}),
  };
}

/**
 * Turns raw image strings into references, one per string with every workload that runs it. Nothing
 * a build renders is dropped: a bare name, a malformed digest, a template token or a build tool's
 * placeholder is shown as written, labelled, and reported once per cell as a warning.
 */
export function classify(
  hits: Hit[],
  own: ReadonlySet<string>,
  warnings: ScanWarning[],
  evidence: PlaceholderEvidence = NO_EVIDENCE,
): ImageReference[] {
  const byImage = new Map<string, ImageReference>();
  for (const h of hits) {
    const existing = byImage.get(h.image);
    if (existing) {
      if (!existing.usedBy.includes(h.usedBy)) existing.usedBy.push(h.usedBy);
      continue;
    }
    const ref = imageReference(
      h.image,
      {
        source: h.pos,
        inherited: !own.has(h.pos.file),
        setBy: h.setBy,
        usedBy: [h.usedBy],
        keyPath: h.keyPath,
        helmKeys: h.helmKeys,
      },
      evidence,
    );
    for (const l of ref.labels ?? []) warnings.push({ ...h.pos, message: l.reason, code: LABEL_WARNING_CODE[l.kind] });
    byImage.set(h.image, ref);
  }
  return [...byImage.values()];
}
