/** Which resources a patch `target:` selects: kind, name, namespace, group, version, label and annotation selectors. */
import { foldFields, SELECTOR_FIELDS } from "./kustomize-decode";
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

/**
 * Kustomize's `ResMap.Select`: the name and the namespace each match the resource's original id or
 * its current one (not the ids in between), the rest its current kind and labels.
 */
export function targetMatches(t: PatchTarget, r: KResource): boolean {
  const { kind, name, namespace, group, version } = t;
  const org = r.previousIds[0] ?? r;
  if (kind && !targetRegexMatches(kind, r.kind)) return false;
  if (name && !targetRegexMatches(name, org.name) && !targetRegexMatches(name, r.name)) return false;
  if (
    namespace &&
    !targetRegexMatches(namespace, org.namespace ?? "default") &&
    !targetRegexMatches(namespace, r.namespace ?? "default")
  )
    return false;
  if (group && !targetRegexMatches(group, groupOf(r.apiVersion))) return false;
  if (version && !targetRegexMatches(version, r.apiVersion.split("/").pop() ?? "")) return false;
  const meta = isObject(r.obj.metadata) ? r.obj.metadata : {};
  if (t.labelSelector && !selectorMatches(t.labelSelector, meta.labels)) return false;
  if (t.annotationSelector && !selectorMatches(t.annotationSelector, meta.annotations)) return false;
  return true;
}

/**
 * Whether a strategic-merge patch without a target names `r`: the same group, version and kind, and
 * a name and namespace equal to any id the resource has had (`ResMap.GetMatchingResourcesByAnyId`),
 * so a patch may name a resource as its base wrote it or as it is now.
 */
export function idMatches(r: KResource, apiVersion: string, kind: string, name: string, namespace: string | undefined): boolean {
  if (r.kind !== kind || r.apiVersion !== apiVersion) return false;
  const ns = namespace || "default";
  return [...r.previousIds, r].some((id) => id.name === name && (id.namespace || "default") === ns);
}

/**
 * Reads a patch `target:`. Kustomize refuses to build when a target pattern does not compile; here
 * the patch is reported at the field's line and left unapplied (an invalid pattern matches nothing),
 * so one bad pattern does not hide the rest of the overlay.
 */
export function parseTarget(ctx: BuildContext, v: Json | undefined, kFile: string): PatchTarget | undefined {
  const target = foldFields(v, SELECTOR_FIELDS);
  if (!target) return undefined;
  const t: PatchTarget = {};
  for (const k of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] as const) {
    const s = str(target[k]);
    if (s !== undefined) t[k] = s;
  }
  for (const k of REGEX_FIELDS) {
    const pattern = t[k];
    if (!pattern) continue;
    const re = compileTargetRegex(pattern);
    if (!re.ok) {
      warn(
        ctx,
        getPos(target, k),
        kFile,
        `patch target ${k} is not a valid regular expression, so the patch is not applied (kustomize build fails on it): ${re.error}`,
        "patch-error",
      );
    }
  }
  return t;
}
