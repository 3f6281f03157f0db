/** JSON 6902 patches (RFC 6902 operations on RFC 6901 pointers), as Kustomize's `patchesJson6902` applies them. */
import { imageSetters } from "./kustomize-resource";
import { cloneJson, getPos, isObject, type Json, type JsonObject, setPos, str } from "./yaml-source";

/** RFC 6901 pointer segments. */
function pointer(p: string): string[] | undefined {
  if (p === "") return [];
  if (!p.startsWith("/")) return undefined;
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function walkTo(root: JsonObject, segs: string[]): Json | undefined {
  let cur: Json = root;
  for (const s of segs) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      if (!Number.isInteger(i)) return undefined;
      cur = cur[i] as Json;
    } else if (isObject(cur)) cur = cur[s] as Json;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Applies JSON6902 operations; returns an error message instead of throwing so the scan goes on. */
export function applyJson6902(root: JsonObject, ops: Json[], opsContainer: object): string | undefined {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isObject(op)) return "operation is not a mapping";
    const kind = str(op.op);
    const segs = pointer(str(op.path) ?? "");
    if (!kind || !segs) return `bad operation or path: ${JSON.stringify(op)}`;
    const parentSegs = segs.slice(0, -1);
    const last = segs[segs.length - 1];
    const parent = walkTo(root, parentSegs);
    const take = (): Json | undefined => {
      if (kind === "copy" || kind === "move") {
        const from = pointer(str(op.from) ?? "");
        if (!from) return undefined;
        const v = walkTo(root, from);
        if (v === undefined) return undefined;
        if (kind === "move") {
          const fp = walkTo(root, from.slice(0, -1));
          const fl = from[from.length - 1];
          if (Array.isArray(fp)) fp.splice(Number(fl), 1);
          else if (isObject(fp) && fl !== undefined) delete fp[fl];
        }
        return cloneJson(v);
      }
      const v = op.value;
      return v === undefined ? undefined : cloneJson(v);
    };
    if (kind === "test") continue;
    if (last === undefined) return `cannot ${kind} the document root`;
    if (parent === undefined) return `path not found: ${str(op.path)}`;
    if (kind === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (isObject(parent)) delete parent[last];
      continue;
    }
    const value = take();
    if (value === undefined) return `operation ${kind} has no value`;
    const valuePos = getPos(op, "value") ?? getPos(opsContainer, i);
    if (Array.isArray(parent)) {
      const idx = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) return `bad index in ${str(op.path)}`;
      if (kind === "replace") parent[idx] = value;
      else parent.splice(idx, 0, value);
      setPos(parent, idx, valuePos);
    } else if (isObject(parent)) {
      // Kustomize's JSON patch library replaces a missing object key as if adding it (an array
      // index must exist, a key need not).
      parent[last] = value;
      setPos(parent, last, valuePos);
    } else return `path parent is not a container: ${str(op.path)}`;
    markPatched(value);
  }
  return undefined;
}

/** Records that image fields inside a patched value were set by a patch (edits need to know). */
function markPatched(v: Json): void {
  if (isObject(v)) {
    if (typeof v.image === "string") imageSetters.set(v, "patch");
    for (const x of Object.values(v)) markPatched(x);
  } else if (Array.isArray(v)) for (const x of v) markPatched(x);
}
