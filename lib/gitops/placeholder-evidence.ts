/**
 * What in the repository says an image name is a build tool's placeholder: the artifacts a
 * skaffold config or a Tiltfile builds and substitutes at deploy time. A bare name without such
 * evidence (`nginx`, `busybox`) is what it says: Docker Hub's image, at `latest`.
 */
import { baseOf, type FileStore } from "./file-store";
import { normaliseRepository } from "./image-ref";
import { isObject, type Json, str } from "./yaml-source";

export interface PlaceholderEvidence {
  /** Normalised artifact name → where it is declared ("skaffold.yaml:12"). */
  artifacts: Map<string, string>;
}

export const NO_EVIDENCE: PlaceholderEvidence = { artifacts: new Map() };

/** Tiltfiles are Starlark, not YAML: the scan fetches them for this reading only. */
export function tiltfilePaths(store: FileStore): string[] {
  return [...store.files.keys()].filter((p) => baseOf(p) === "Tiltfile" || p.endsWith(".tiltfile"));
}

const TILT_BUILD_RE = /\b(?:docker_build|custom_build|docker_build_with_restart)\(\s*(?:ref\s*=\s*)?['"]([^'"\s]+)['"]/g;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function skaffoldArtifacts(doc: Json, file: string, out: Map<string, string>, line: number): void {
  if (!isObject(doc) || !str(doc.apiVersion)?.startsWith("skaffold/")) return;
  const builds = [doc.build, ...(Array.isArray(doc.profiles) ? doc.profiles.map((p) => (isObject(p) ? p.build : null)) : [])];
  for (const b of builds) {
    if (!isObject(b) || !Array.isArray(b.artifacts)) continue;
    for (const a of b.artifacts) {
      const image = isObject(a) ? str(a.image) : undefined;
      if (image && !out.has(normaliseRepository(image))) out.set(normaliseRepository(image), `${file}:${line}`);
    }
  }
}

const cache = new WeakMap<FileStore, PlaceholderEvidence>();

/**
 * The evidence in one snapshot, read once: skaffold configs (any YAML file whose name mentions
 * skaffold, with `apiVersion: skaffold/…`, profiles included) and Tiltfiles' build calls.
 */
export function placeholderEvidence(store: FileStore): PlaceholderEvidence {
  const hit = cache.get(store);
  if (hit) return hit;
  // Read once per store for every cell: its inputs count as the whole scan's (isPlaceholderEvidencePath), not one cell's.
  return store.unrecorded(() => readEvidence(store));
}

/** A file whose change changes the evidence every cell reads: a refresh rescans when one does. */
export function isPlaceholderEvidencePath(p: string): boolean {
  const n = baseOf(p);
  return /skaffold[^/]*\.ya?ml$/i.test(n) || n === "Tiltfile" || p.endsWith(".tiltfile");
}

/** A refresh where no evidence file changed keeps the evidence read at the previous commit. */
export function inheritPlaceholderEvidence(from: FileStore, to: FileStore): void {
  const hit = cache.get(from);
  if (hit) cache.set(to, hit);
}

function readEvidence(store: FileStore): PlaceholderEvidence {
  const artifacts = new Map<string, string>();
  for (const p of store.files.keys()) {
    if (!/skaffold[^/]*\.ya?ml$/i.test(baseOf(p))) continue;
    for (const d of store.peek(p).docs) skaffoldArtifacts(d.value, p, artifacts, d.line);
  }
  for (const p of tiltfilePaths(store)) {
    const text = store.text(p);
    if (text === undefined) continue;
    for (const m of text.matchAll(TILT_BUILD_RE)) {
      const name = m[1];
      if (name && !artifacts.has(normaliseRepository(name)))
        artifacts.set(normaliseRepository(name), `${p}:${lineAt(text, m.index ?? 0)}`);
    }
  }
  const evidence = { artifacts };
  cache.set(store, evidence);
  return evidence;
}
