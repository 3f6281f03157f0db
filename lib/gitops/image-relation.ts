import type { ImageReference, TargetCell } from "./types";

/** How one image compares between two environments (for the matrix and for promotion candidates). */
export type ImageRelation = "same" | "differs" | "not-deployed";

/**
 * Same means the same artifact: equal digests when both are pinned, otherwise equal normalised
 * repository and tag, no tag meaning `latest` as a runtime reads it (`nginx` is `nginx:latest`).
 * A tag-only side against a pinned side cannot be proven equal, so it differs.
 */
export function imageRelation(a: ImageReference | undefined, b: ImageReference | undefined): ImageRelation {
  if (!a || !b) return "not-deployed";
  if (a.repositoryNormalised !== b.repositoryNormalised) return "differs";
  if (a.digest || b.digest) return a.digest === b.digest ? "same" : "differs";
  return (a.tag || "latest") === (b.tag || "latest") ? "same" : "differs";
}

export interface ImagePair {
  repository: string;
  from?: ImageReference;
  to?: ImageReference;
  relation: ImageRelation;
}

/** Pairs two cells' images by normalised repository. */
export function relateCells(from: TargetCell | undefined, to: TargetCell | undefined): ImagePair[] {
  const repos = new Set([...(from?.images ?? []), ...(to?.images ?? [])].map((i) => i.repositoryNormalised));
  return [...repos].sort().map((repository) => {
    const f = from?.images.find((i) => i.repositoryNormalised === repository);
    const t = to?.images.find((i) => i.repositoryNormalised === repository);
    return { repository, from: f, to: t, relation: imageRelation(f, t) };
  });
}
