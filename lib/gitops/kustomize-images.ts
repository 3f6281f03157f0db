/** Kustomize's `images:` transformer, and the walk over container mappings its image filter makes. */
import { applyImageTagEntry, type ImageTagEntry, kustomizeImageMatches } from "./image-ref";
import { type BuildContext, imageSetters, type KResource, warn } from "./kustomize-resource";
import { getPos, isObject, type Json, type JsonObject, setPos, str } from "./yaml-source";

/** Calls `fn` for every container mapping under any `containers`/`initContainers` list, as Kustomize's image filter does. */
export function visitContainers(v: Json, fn: (container: JsonObject, listKey: string) => void, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(v)) {
    for (const x of v) visitContainers(x, fn, depth + 1);
    return;
  }
  if (!isObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if ((k === "containers" || k === "initContainers" || k === "ephemeralContainers") && Array.isArray(x)) {
      for (const c of x) if (isObject(c)) fn(c, k);
    } else visitContainers(x, fn, depth + 1);
  }
}

export function applyImages(ctx: BuildContext, acc: KResource[], images: Json[], kFile: string): void {
  images.forEach((e, i) => {
    if (!isObject(e)) return;
    const name = str(e.name);
    if (!name) {
      warn(ctx, getPos(images, i), kFile, "images entry without a name", "images-error");
      return;
    }
    const entry: ImageTagEntry = { name, newName: str(e.newName), newTag: str(e.newTag), digest: str(e.digest) };
    // Kustomize's 'tagSuffix'-less entries: the deciding line is the most specific field set.
    const decidingKey = entry.digest ? "digest" : entry.newTag ? "newTag" : entry.newName ? "newName" : "name";
    const pos = getPos(e, decidingKey) ?? getPos(images, i);
    for (const r of acc) {
      visitContainers(r.obj, (c) => {
        if (typeof c.image !== "string" || !kustomizeImageMatches(c.image, name)) return;
        c.image = applyImageTagEntry(c.image, entry);
        setPos(c, "image", pos);
        imageSetters.set(c, "images-transformer");
      });
    }
  });
}
