/** Parsing and normalising container image references (`registry/repo:tag@sha256:…`). */

export interface ParsedImage {
  /** The name part as written (registry and path, no tag or digest). */
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
export const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/**
 * Splits an image string the way Kustomize's `image.Split` does: a `:` before the first `/` belongs to
 * a registry port, so only the part after the first slash is searched for `:` and `@`.
 */
export function splitImage(image: string): ParsedImage {
  const slash = image.indexOf("/");
  const offset = Math.max(slash, 0);
  const search = image.slice(offset);
  const at = search.indexOf("@");
  const colon = search.indexOf(":");
  if (at < 0 && colon < 0) return { name: image };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return { name: image.slice(0, offset + at), digest: image.slice(offset + at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon + 1, offset + at),
      digest: image.slice(offset + at + 1),
    };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1) };
}

export function formatImage(p: ParsedImage): string {
  return `${p.name}${p.tag ? `:${p.tag}` : ""}${p.digest ? `@${p.digest}` : ""}`;
}

/**
 * Docker's reference normalisation: no registry means Docker Hub, and single-segment Docker Hub
 * names live under `library/` (`redis` = `docker.io/library/redis`). Registry host names are case-insensitive.
 */
export function normaliseRepository(name: string): string {
  const first = name.split("/")[0] ?? "";
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) {
    return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
  }
  let [registry, ...rest] = name.split("/");
  registry = (registry ?? "").toLowerCase();
  if (registry === "index.docker.io" || registry === "registry-1.docker.io" || registry === "registry.hub.docker.com")
    registry = "docker.io";
  if (registry === "docker.io" && rest.length === 1) rest = ["library", ...rest];
  return [registry, ...rest].join("/");
}

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/**
 * A digest as people read it: its algorithm and the first 12 hex characters (`sha256:0123456789ab`),
 * enough to tell builds apart. `{ algorithm: false }` keeps the hex alone (`0123456789ab`), as branch
 * names, PR titles and `tag@0123456789ab` show it.
 */
export function shortDigest(digest: string, options: { algorithm?: boolean } = {}): string {
  const colon = digest.indexOf(":");
  const hex = digest.slice(colon + 1, colon + 13);
  return options.algorithm === false || colon < 0 ? hex : `${digest.slice(0, colon + 1)}${hex}`;
}

/** True for strings that are template expressions rather than images (`{{ .Values.x }}`, `${{ vars.image }}`, `$(IMG)`). */
export function isTemplated(value: string): boolean {
  return /\{\{|\}\}|\$\{|\$\(/.test(value);
}

/**
 * A bare name with no registry, path, tag or digest (`image: contacts`) is almost always a build-tool
 * placeholder (skaffold, ko, tilt) substituted at deploy time; reading it as `docker.io/library/contacts:latest`
 * would be a guess, so callers report it instead of resolving it.
 */
export function isPlaceholderImage(p: ParsedImage): boolean {
  return !p.tag && !p.digest && !p.name.includes("/") && !p.name.includes(".");
}

/** Plausible image syntax (lower-case path components, optional port); filters prose and templates out. */
export function looksLikeImage(value: string): boolean {
  if (!value || value.length > 512 || /\s/.test(value) || isTemplated(value)) return false;
  const p = splitImage(value);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._:/-]*$/.test(p.name)) return false;
  if (p.tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(p.tag)) return false;
  if (p.digest !== undefined && !isDigest(p.digest)) return false;
  return true;
}

/**
 * Kustomize's `images:` matching: the entry name matches the image's name part exactly, whatever
 * tag or digest follows (`^name(@sha256)?(:tag)?$`, with the digest handled by the split).
 */
export function kustomizeImageMatches(image: string, entryName: string): boolean {
  return splitImage(image).name === entryName;
}

export interface ImageTagEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/**
 * Applies one Kustomize `images:` entry (v5 semantics): `newName` replaces the name; `newTag` and `digest`
 * together set both; `newTag` alone drops an existing digest; `digest` alone drops an existing tag.
 */
export function applyImageTagEntry(image: string, entry: ImageTagEntry): string {
  const p = splitImage(image);
  let { name, tag, digest } = p;
  if (entry.newName) name = entry.newName;
  if (entry.newTag && entry.digest) {
    tag = entry.newTag;
    digest = entry.digest;
  } else if (entry.newTag) {
    tag = entry.newTag;
    digest = undefined;
  } else if (entry.digest) {
    digest = entry.digest;
    tag = undefined;
  }
  return formatImage({ name, tag, digest });
}
