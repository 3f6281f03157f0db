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

/** A selector's requirements: split at commas outside `(…)`, so `env in (a,b),tier` is two. */
function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= selector.length; i++) {
    const ch = selector[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if ((ch === "," && depth === 0) || ch === undefined) {
      const term = selector.slice(start, i).trim();
      if (term) out.push(term);
      start = i + 1;
    }
  }
  return out;
}

const SET_RE = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/;

/**
 * Kubernetes label selector syntax (k8s.io/apimachinery labels.Parse), as Kustomize reads
 * `labelSelector` and `annotationSelector`: `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)`, `key notin (a,b)`; every requirement must hold.
 */
export function selectorMatches(selector: string, values: Json | undefined): boolean {
  const map = isObject(values) ? values : {};
  const value = (k: string) => str(map[k.trim()]);
  return requirements(selector).every((term) => {
    const set = SET_RE.exec(term);
    if (set) {
      const options = (set[3] ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      const v = value(set[1] ?? "");
      return set[2] === "in" ? v !== undefined && options.includes(v) : v === undefined || !options.includes(v);
    }
    if (term.startsWith("!")) return value(term.slice(1)) === undefined;
    const neq = term.split("!=");
    if (neq.length === 2) return value(neq[0] ?? "") !== (neq[1] ?? "").trim();
    const eq = term.split(/==?/);
    if (eq.length === 2) return value(eq[0] ?? "") === (eq[1] ?? "").trim();
    return value(term) !== undefined;
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
  const labels = { ...(isObject(meta.labels) ? meta.labels : {}), ...r.addedLabels };
  const annotations = { ...(isObject(meta.annotations) ? meta.annotations : {}), ...r.addedAnnotations };
  if (t.labelSelector && !selectorMatches(t.labelSelector, labels)) return false;
  if (t.annotationSelector && !selectorMatches(t.annotationSelector, annotations)) return false;
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
