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
  /** Names it had before prefixes/suffixes, which Kustomize still lets patches match. */
  previousNames: string[];
  file: string;
  /** The overlay-level `resources:` entry it came through (a base directory or a file). */
  origin: string;
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
    previousNames: [],
    file,
    origin,
  };
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
