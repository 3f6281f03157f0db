import path from "node:path";
import type { RepoFile, RepoSnapshot } from "../snapshot/types";
import type { ScanWarning } from "./types";
import { cloneJson, type LoadedDoc, loadYaml, MAX_FILE_BYTES } from "./yaml-source";

export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

export function isYamlPath(p: string): boolean {
  return /\.ya?ml$/i.test(p) || path.posix.basename(p) === "Kustomization";
}

/**
 * Joins a reference found in `fromDir` and refuses anything that leaves the repository.
 * Returns undefined for an escape so callers turn it into a warning.
 */
export function resolveRepoPath(fromDir: string, ref: string): string | undefined {
  if (ref.startsWith("/") || ref.includes("\0")) return undefined;
  const joined = path.posix.normalize(path.posix.join(fromDir || ".", ref));
  if (joined === ".." || joined.startsWith("../")) return undefined;
  return joined === "." ? "" : joined.replace(/\/$/, "");
}

const REMOTE_RE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\.git(?:\/\/|$)|\/\/[^/]/i;

/** A reference Kustomize would fetch (a URL, a git repository): Ladder records it, never fetches it. */
export function isRemoteRef(ref: string): boolean {
  return REMOTE_RE.test(ref);
}

/** The directory holding a repository path, with the root as "" (the form resolveRepoPath returns). */
export function dirOf(p: string): string {
  const d = path.posix.dirname(p);
  return d === "." ? "" : d;
}

/** The last segment of a repository path: a file's name, or a directory's own name ("" for the root). */
export function baseOf(p: string): string {
  return path.posix.basename(p);
}

/**
 * The scanner's view of one snapshot: the file list, the YAML texts fetched in one batch, and parsed
 * documents cached by path (cloned on every use because Kustomize layers mutate what they load).
 */
export class FileStore {
  readonly files: Map<string, RepoFile>;
  readonly dirs = new Set<string>();
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, { docs: LoadedDoc[]; warnings: ScanWarning[] }>();

  constructor(
    readonly snapshot: RepoSnapshot,
    files: readonly RepoFile[],
  ) {
    this.files = new Map(files.map((f) => [f.path, f]));
    for (const f of files) {
      let d = path.posix.dirname(f.path);
      while (d !== "." && !this.dirs.has(d)) {
        this.dirs.add(d);
        d = path.posix.dirname(d);
      }
    }
    this.dirs.add("");
  }

  /** Reads every YAML file under the size limit in one `readMany` (one round trip for GitHub). */
  async prefetch(filter: (p: string) => boolean = isYamlPath): Promise<void> {
    const wanted = [...this.files.values()]
      .filter((f) => filter(f.path) && f.size <= MAX_FILE_BYTES && !this.texts.has(f.path))
      .map((f) => f.path);
    if (wanted.length === 0) return;
    const got = await this.snapshot.readMany(wanted);
    for (const [p, t] of got) this.texts.set(p, t);
  }

  async ensure(paths: readonly string[]): Promise<void> {
    const wanted = paths.filter(
      (p) => this.files.has(p) && !this.texts.has(p) && (this.files.get(p)?.size ?? 0) <= MAX_FILE_BYTES,
    );
    if (wanted.length === 0) return;
    const got = await this.snapshot.readMany(wanted);
    for (const [p, t] of got) this.texts.set(p, t);
  }

  /** Replace a file's content (used to re-resolve a planned edit without touching the snapshot). */
  override(p: string, text: string): void {
    this.texts.set(p, text);
    this.parsed.delete(p);
    if (!this.files.has(p)) {
      this.files.set(p, { path: p, sha: "override", size: Buffer.byteLength(text) });
      this.dirs.add(path.posix.dirname(p) === "." ? "" : path.posix.dirname(p));
    }
  }

  isFile(p: string): boolean {
    return this.files.has(p);
  }

  isDir(p: string): boolean {
    return this.dirs.has(p);
  }

  text(p: string): string | undefined {
    return this.texts.get(p);
  }

  kustomizationIn(dir: string): string | undefined {
    for (const n of KUSTOMIZATION_NAMES) {
      const p = dir ? `${dir}/${n}` : n;
      if (this.files.has(p)) return p;
    }
    return undefined;
  }

  /** Parsed documents of a file (fresh copies) plus its parse warnings; a missing or oversize file is a warning. */
  load(p: string): { docs: LoadedDoc[]; warnings: ScanWarning[] } {
    const r = this.peek(p);
    return { docs: r.docs.map((d) => ({ ...d, value: cloneJson(d.value) })), warnings: r.warnings };
  }

  /** The cached parse itself, shared: callers must not mutate it (use `load` for a private copy). */
  peek(p: string): { docs: readonly LoadedDoc[]; warnings: ScanWarning[] } {
    const cached = this.parsed.get(p);
    if (cached) return cached;
    const f = this.files.get(p);
    let result: { docs: LoadedDoc[]; warnings: ScanWarning[] };
    if (!f) result = { docs: [], warnings: [{ file: p, line: 1, message: "file not found", code: "not-found" }] };
    else if (f.size > MAX_FILE_BYTES)
      result = {
        docs: [],
        warnings: [
          { file: p, line: 1, message: `file is ${f.size} bytes, over the 1 MiB limit; not read`, code: "file-too-large" },
        ],
      };
    else {
      const t = this.texts.get(p);
      result =
        t === undefined
          ? { docs: [], warnings: [{ file: p, line: 1, message: "file could not be read", code: "unreadable" }] }
          : loadYaml(t, p);
    }
    this.parsed.set(p, result);
    return result;
  }

  /** Files directly and recursively under a directory. */
  filesUnder(dir: string): string[] {
    const prefix = dir ? `${dir}/` : "";
    return [...this.files.keys()].filter((p) => p.startsWith(prefix));
  }
}
