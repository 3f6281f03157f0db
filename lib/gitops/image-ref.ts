/** Parsing and normalising container image references (`registry/repo:tag@sha256:…`). */
import { compileGoRegex } from "./target-regex";

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
 * A digest a runtime can pull by: a registered algorithm and its length of lower-case hex (the OCI
 * image spec; containerd and Docker refuse anything else). `isDigest` is looser on purpose: it says
 * whether text is shaped like a digest at all.
 */
const PULLABLE_DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

export function isPullableDigest(value: string): boolean {
  return PULLABLE_DIGEST_RE.test(value);
}

/**
 * What a container runtime pulls for a reference: Docker Hub and `library/` filled in, and `latest`
 * when neither a tag nor a digest is given (`nginx` → `docker.io/library/nginx:latest`).
 */
export function pullReference(p: ParsedImage): string {
  const tag = p.tag ? `:${p.tag}` : p.digest ? "" : ":latest";
  return `${normaliseRepository(p.name)}${tag}${p.digest ? `@${p.digest}` : ""}`;
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

/** The Go regular expression Kustomize 5.5's IsImageMatched builds from an `images:` entry name. */
/**
 * An entry name of letters, digits and `_ . / : -` only: always a valid Go regular expression, and
 * one a JavaScript RegExp reads the same way (`.` any character, the rest literal). Most names are
 * such; they skip RE2, whose bounded cache a repository with thousands of image names would churn,
 * and are matched in place (plainNameMatches).
 */
export function isPlainImageName(entryName: string): boolean {
  return /^[\w./:-]+$/.test(entryName);
}

/** What may follow the name in IsImageMatched's pattern: an optional tag, then an optional sha256 digest. */
const IMAGE_SUFFIX = /^(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$/;

/**
 * `new RegExp(kustomizeImagePattern(name)).test(image)` for a plain name, without building a RegExp
 * per name: the name part of the pattern has a fixed length, its `.` matching any character but a
 * line terminator and every other character itself, so it is compared in place and only the rest goes
 * through one shared RegExp. (A scan compares each image with every entry name of its kustomization.)
 */
function plainNameMatches(image: string, name: string): boolean {
  const n = name.length;
  if (image.length < n) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const d = image.charCodeAt(i);
    if (c === 46) {
      if (d === 10 || d === 13 || d === 0x2028 || d === 0x2029) return false;
    } else if (c !== d) return false;
  }
  return n === image.length || IMAGE_SUFFIX.test(image.slice(n));
}

export function kustomizeImagePattern(entryName: string): string {
  return `^${entryName}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`;
}

/**
 * Kustomize's `images:` matching (IsImageMatched, api/image/image.go): the entry name is a Go
 * regular expression, not a literal, followed by an optional tag and an optional sha256 digest.
 * So `ghcr.io/x` also matches `ghcrXio/x`, an image pinned by sha512 or tagged `1+2` is not
 * matched at all, and an entry name that does not compile matches nothing (the build fails on it).
 */
export function kustomizeImageMatches(image: string, entryName: string): boolean {
  if (isPlainImageName(entryName)) return plainNameMatches(image, entryName);
  const re = compileGoRegex(kustomizeImagePattern(entryName));
  return re.ok && re.test(image);
}

export interface ImageTagEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/**
 * Applies one Kustomize `images:` entry (v5 semantics, api/filters/imagetag/updater.go): `newName`
 * replaces the name; `newTag` and `digest` together set both; `newTag` alone drops an existing
 * digest; `digest` alone drops an existing tag; else `tagSuffix` is appended to the tag and drops
 * the digest. Empty fields count as unset. The name part is rebuilt from the split, so an image
 * the entry matches comes out as `name[:tag][@digest]`.
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
  } else if (entry.tagSuffix) {
    tag = `${tag ?? ""}${entry.tagSuffix}`;
    digest = undefined;
  }
  return formatImage({ name, tag, digest });
}
