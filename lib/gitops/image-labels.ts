/**
 * Labels for what is suspicious about an image reference, so the cell can show it as written and
 * say what is wrong instead of hiding it: no tag and no digest, a digest no runtime pulls by, a
 * build tool's placeholder (only with evidence), text that is no image reference at all.
 */
import { isPullableDigest, isTemplated, normaliseRepository, type ParsedImage } from "./image-ref";
import type { PlaceholderEvidence } from "./placeholder-evidence";
import type { ImageLabel, ImageLabelKind } from "./types";

/** Words people write where a pipeline puts the image later. */
const PLACEHOLDER_WORD_RE =
  /placeholder|replace[-_]?me|change[-_]?me|to[-_]?be[-_]?replaced|^image(?:[-_]name)?$|^<[^>]*>$|^__\w+__$/i;

/** Docker's reference grammar for one path component (lower case only). */
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** Whether the name and tag follow Docker's reference grammar (the digest is judged on its own). */
function validNameAndTag(p: ParsedImage): boolean {
  if (p.tag !== undefined && !TAG_RE.test(p.tag)) return false;
  const parts = p.name.split("/");
  const first = parts[0] ?? "";
  const hasDomain = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasDomain && !DOMAIN_RE.test(first)) return false;
  const path = hasDomain ? parts.slice(1) : parts;
  return path.length > 0 && path.every((c) => COMPONENT_RE.test(c));
}

function label(kind: ImageLabelKind, text: string, reason: string): ImageLabel {
  return { kind, text, reason };
}

/** Why `image` is a placeholder, from the text itself or the repository's build tools; undefined when nothing says so. */
export function placeholderReason(image: string, p: ParsedImage, evidence: PlaceholderEvidence): string | undefined {
  if (image.startsWith("ko://"))
    return `'${image}' is a ko import path: ko builds it into an image and substitutes it at deploy time`;
  if (isTemplated(image)) return `'${image}' is a template expression, filled in outside git`;
  const last = p.name.split("/").pop() ?? p.name;
  if (PLACEHOLDER_WORD_RE.test(last) || PLACEHOLDER_WORD_RE.test(p.tag ?? ""))
    return `'${image}' reads as a placeholder a pipeline replaces`;
  const where = evidence.artifacts.get(normaliseRepository(p.name));
  if (where) return `'${p.name}' is an artifact a build tool substitutes at deploy time (declared in ${where})`;
  return undefined;
}

/**
 * The labels of one reference as written. A placeholder is not also called implicit latest: what
 * the runtime pulls is then decided by the build tool, not by `latest`.
 */
export function imageLabels(image: string, p: ParsedImage, evidence: PlaceholderEvidence): ImageLabel[] {
  const labels: ImageLabel[] = [];
  const placeholder = placeholderReason(image, p, evidence);
  if (placeholder) labels.push(label("placeholder", "placeholder", `${placeholder}; it is not what git pins`));
  else if (!validNameAndTag(p))
    labels.push(label("invalid-reference", "not a valid image reference", `'${image}' is not a valid image reference`));
  if (p.digest !== undefined && !isPullableDigest(p.digest))
    labels.push(
      label(
        "invalid-digest",
        "not a valid sha256 digest",
        `'${p.digest}' is not a valid sha256 digest (sha256: and 64 lower-case hex characters): no runtime pulls by it`,
      ),
    );
  if (!placeholder && !p.tag && !p.digest)
    labels.push(
      label(
        "implicit-latest",
        "implicit latest, unpinned",
        `'${image}' has no tag and no digest: the runtime pulls ${normaliseRepository(p.name)}:latest, whatever that is at the time`,
      ),
    );
  return labels;
}

/** The warning code each label is reported under. */
export const LABEL_WARNING_CODE: Record<ImageLabelKind, string> = {
  "implicit-latest": "implicit-latest",
  "invalid-digest": "invalid-digest",
  placeholder: "placeholder-image",
  "invalid-reference": "invalid-image",
};
