/**
 * The model a Kustomize build passes between its steps: the resources it accumulates, what it
 * returns, and the context every step reports into.
 */
import type { FileStore } from "./file-store";
import type { RemoteRef, ScanWarning, SourcePos } from "./types";
import { isObject, type JsonObject, str } from "./yaml-source";

/** One resource flowing through a Kustomize build, with what patches need to find it. */
export interface KResource {
  obj: JsonObject;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  /**
   * The (name, namespace) ids it had before namespaces, prefixes and suffixes changed it, oldest
   * first: Kustomize still lets patches find a resource by them (see kustomize-selectors.ts).
   */
  previousIds: ResId[];
  file: string;
  /** The overlay-level `resources:` entry it came through (a base directory or a file). */
  origin: string;
  /**
   * Labels and annotations transformers added (`commonLabels`, `labels`, `commonAnnotations`):
   * kept beside the object, like the name and namespace, so comparisons between environments read
   * the manifests as written, while patch targets still select by them.
   */
  addedLabels?: Record<string, string>;
  addedAnnotations?: Record<string, string>;
}

export interface BuildResult {
  resources: KResource[];
  remote: RemoteRef[];
  warnings: ScanWarning[];
  /** Every file read, for ownership (own vs shared) and for materialising a render. */
  files: Set<string>;
  /** Kustomization directories visited. */
  dirs: Set<string>;
}

/** How a value set by a transformer is tagged, so edits know what construct decided an image. */
export const imageSetters = new WeakMap<object, "images-transformer" | "patch">();

export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

export function toResource(obj: JsonObject, file: string, origin: string): KResource | undefined {
  const kind = str(obj.kind);
  const meta = isObject(obj.metadata) ? obj.metadata : undefined;
  const name = meta ? str(meta.name) : undefined;
  if (!kind) return undefined;
  return {
    obj,
    kind,
    apiVersion: str(obj.apiVersion) ?? "",
    name: name ?? "",
    namespace: meta ? str(meta.namespace) : undefined,
    previousIds: [],
    file,
    origin,
  };
}

/** A resource's name and namespace at one point of the build (no namespace: `default`). */
export interface ResId {
  name: string;
  namespace?: string;
}

/** The name a resource was first given, before any prefix or suffix. */
export function originalName(r: KResource): string {
  return r.previousIds[0]?.name ?? r.name;
}

/** Records the current id as a previous one, before a transformer renames or moves the resource. */
export function storePreviousId(r: KResource): void {
  r.previousIds.push({ name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) });
}

/** What one build shares across its steps: where it reads, and what it reports and visits. */
export interface BuildContext {
  store: FileStore;
  warnings: ScanWarning[];
  remote: RemoteRef[];
  files: Set<string>;
  dirs: Set<string>;
}

export function warn(ctx: BuildContext, pos: SourcePos | undefined, fallbackFile: string, message: string, code: string): void {
  ctx.warnings.push({ file: pos?.file ?? fallbackFile, line: pos?.line ?? 1, message, code });
}
