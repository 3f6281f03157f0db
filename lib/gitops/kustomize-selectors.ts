/** Which resources a patch `target:` selects: kind, name, namespace, group, version, label and annotation selectors. */
import { type BuildContext, groupOf, type KResource, warn } from "./kustomize-resource";
import { compileTargetRegex, targetRegexMatches } from "./target-regex";
import { getPos, isObject, type Json, str } from "./yaml-source";

export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

function selectorMatches(selector: string, values: Json | undefined): boolean {
  const map = isObject(values) ? values : {};
  return selector
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const neq = term.split("!=");
      if (neq.length === 2) return str(map[(neq[0] ?? "").trim()]) !== (neq[1] ?? "").trim();
      const eq = term.split(/==?/);
      if (eq.length === 2) return str(map[(eq[0] ?? "").trim()]) === (eq[1] ?? "").trim();
      return term in map;
    });
}

/** Target fields Kustomize compiles as anchored regular expressions (label and annotation selectors are not). */
const REGEX_FIELDS = ["group", "version", "kind", "name", "namespace"] as const;

export function targetMatches(t: PatchTarget, r: KResource): boolean {
  const { kind, name, namespace, group, version } = t;
  if (kind && !targetRegexMatches(kind, r.kind)) return false;
  if (name && !targetRegexMatches(name, r.name) && !r.previousNames.some((n) => targetRegexMatches(name, n))) return false;
  if (namespace && !targetRegexMatches(namespace, r.namespace ?? "default")) return false;
  if (group && !targetRegexMatches(group, groupOf(r.apiVersion))) return false;
  if (version && !targetRegexMatches(version, r.apiVersion.split("/").pop() ?? "")) return false;
  const meta = isObject(r.obj.metadata) ? r.obj.metadata : {};
  if (t.labelSelector && !selectorMatches(t.labelSelector, meta.labels)) return false;
  if (t.annotationSelector && !selectorMatches(t.annotationSelector, meta.annotations)) return false;
  return true;
}

/**
 * Reads a patch `target:`. Kustomize refuses to build when a target pattern does not compile; here
 * the patch is reported at the field's line and left unapplied (an invalid pattern matches nothing),
 * so one bad pattern does not hide the rest of the overlay.
 */
export function parseTarget(ctx: BuildContext, v: Json | undefined, kFile: string): PatchTarget | undefined {
  if (!isObject(v)) return undefined;
  const t: PatchTarget = {};
  for (const k of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] as const) {
    const s = str(v[k]);
    if (s !== undefined) t[k] = s;
  }
  for (const k of REGEX_FIELDS) {
    const pattern = t[k];
    if (!pattern) continue;
    const re = compileTargetRegex(pattern);
    if (!re.ok) {
      warn(
        ctx,
        getPos(v, k),
        kFile,
        `patch target ${k} is not a valid regular expression, so the patch is not applied (kustomize build fails on it): ${re.error}`,
        "patch-error",
      );
    }
  }
  return t;
}
