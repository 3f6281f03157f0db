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
 * What one resolution read, as keys naming an input (`f:<path>` a file's content or absence,
 * `d:<dir>` whether a directory exists, `l:<dir>` the list of files under it) and the value each
 * had: a blob SHA or "-" for an absent file, "1"/"0", a hash of the list. Equal sets mean equal
 * inputs, so a result made from them can be reused at any commit where they still hold.
 */
export type ReadSet = Map<string, string>;

/** The keys a change of these paths invalidates: each file's own, and the listings and existence of its directories. */
export function invalidatedKeys(changed: Iterable<string>, addedOrRemoved: Iterable<string>): Set<string> {
  const keys = new Set<string>();
  for (const p of changed) keys.add(`f:${p}`);
  for (const p of addedOrRemoved) {
    keys.add(`f:${p}`);
    let d = dirOf(p);
    for (;;) {
      keys.add(`l:${d}`);
      keys.add(`d:${d}`);
      if (d === "") break;
      d = dirOf(d);
    }
  }
  return keys;
}

function listHash(paths: readonly string[]): string {
  // FNV-1a over the joined list: a listing's identity, not a security boundary.
  let h = 0x811c9dc5;
  for (const p of paths) {
    for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0, 0x01000193);
  }
  return `${paths.length}:${(h >>> 0).toString(16)}`;
}

/**
 * The scanner's view of one snapshot: the file list, the YAML texts fetched in one batch, and parsed
 * documents cached by path (cloned on every use because Kustomize layers mutate what they load).
 * While a recording is open (`recording`), every read lands in its ReadSet: what a cell or a build
 * depended on, so a later commit can tell whether it must be resolved again.
 */
export class FileStore {
  readonly files: Map<string, RepoFile>;
  readonly dirs: Set<string>;
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, { docs: LoadedDoc[]; warnings: ScanWarning[] }>();
  /**
   * A refresh's store reads through to the texts and parses of the scan it refreshes (content
   * addressed: `skip` holds every path whose blob differs since), so it copies nothing per file.
   */
  private readonly inherited?: { texts: Map<string, string>; parsed: FileStore["parsed"]; skip: Set<string> };
  private readonly recorders: ReadSet[] = [];
  private paused = 0;

  constructor(
    readonly snapshot: RepoSnapshot,
    /** The snapshot's files (default: `snapshot.files()`); not asked for when `reuse` gives both the map and the same tree. */
    files?: readonly RepoFile[],
    reuse?: {
      from: FileStore;
      /** Paths whose blob changed, appeared or went. */
      invalid: ReadonlySet<string>;
      sameTree: boolean;
      /** The files by path, when the caller has the map already (an OverlayMap of the previous store's, say). */
      byPath?: Map<string, RepoFile>;
    },
  ) {
    const list = () => files ?? snapshot.files();
    this.files = reuse?.byPath ?? new Map(list().map((f) => [f.path, f]));
    if (reuse) {
      const { from, invalid } = reuse;
      const base = from.inherited;
      if (base && base.skip.size + from.texts.size + invalid.size < 10_000) {
        this.inherited = { texts: base.texts, parsed: base.parsed, skip: new Set([...base.skip, ...invalid]) };
        for (const [p, t] of from.texts) if (!invalid.has(p)) this.texts.set(p, t);
        for (const [p, r] of from.parsed) if (!invalid.has(p)) this.parsed.set(p, r);
      } else if (!base) this.inherited = { texts: from.texts, parsed: from.parsed, skip: new Set(invalid) };
      else {
        // Many refreshes on: flatten into maps of this store's own.
        for (const [p, t] of base.texts) if (!base.skip.has(p) && !invalid.has(p)) this.texts.set(p, t);
        for (const [p, r] of base.parsed) if (!base.skip.has(p) && !invalid.has(p)) this.parsed.set(p, r);
        for (const [p, t] of from.texts) if (!invalid.has(p)) this.texts.set(p, t);
        for (const [p, r] of from.parsed) if (!invalid.has(p)) this.parsed.set(p, r);
      }
    }
    if (reuse?.sameTree) {
      this.dirs = reuse.from.dirs;
      return;
    }
    this.dirs = new Set<string>();
    for (const f of list()) {
      let d = path.posix.dirname(f.path);
      while (d !== "." && !this.dirs.has(d)) {
        this.dirs.add(d);
        d = path.posix.dirname(d);
      }
    }
    this.dirs.add("");
  }

  private ownText(p: string): string | undefined {
    const own = this.texts.get(p);
    if (own !== undefined || !this.inherited || this.inherited.skip.has(p)) return own;
    return this.inherited.texts.get(p);
  }

  private cachedParse(p: string): { docs: LoadedDoc[]; warnings: ScanWarning[] } | undefined {
    const own = this.parsed.get(p);
    if (own !== undefined || !this.inherited || this.inherited.skip.has(p)) return own;
    return this.inherited.parsed.get(p);
  }

  /** Runs `fn` recording what it reads; the reads also count for any recording around this one. */
  recording<T>(fn: () => T): [T, ReadSet] {
    const reads: ReadSet = new Map();
    this.recorders.push(reads);
    try {
      return [fn(), reads];
    } finally {
      this.recorders.pop();
      this.replay(reads);
    }
  }

  /** Counts reads made earlier (a cached build's) for the recording now open. */
  replay(reads: ReadSet | undefined): void {
    const top = this.recorders[this.recorders.length - 1];
    if (!top || !reads) return;
    for (const [k, v] of reads) top.set(k, v);
  }

  /** Runs `fn` without recording: for readings cached per store whose inputs are tracked as a whole. */
  unrecorded<T>(fn: () => T): T {
    this.paused++;
    try {
      return fn();
    } finally {
      this.paused--;
    }
  }

  private note(key: string, value: () => string): void {
    const top = this.recorders[this.recorders.length - 1];
    if (top && this.paused === 0 && !top.has(key)) top.set(key, value());
  }

  private noteFile(p: string): void {
    this.note(`f:${p}`, () => this.files.get(p)?.sha ?? "-");
  }

  /** Reads every YAML file under the size limit in one `readMany` (one round trip for GitHub). */
  async prefetch(filter: (p: string) => boolean = isYamlPath): Promise<void> {
    const wanted = [...this.files.values()]
      .filter((f) => filter(f.path) && f.size <= MAX_FILE_BYTES && this.ownText(f.path) === undefined)
      .map((f) => f.path);
    if (wanted.length === 0) return;
    const got = await this.snapshot.readMany(wanted);
    for (const [p, t] of got) this.texts.set(p, t);
  }

  async ensure(paths: readonly string[]): Promise<void> {
    const wanted = paths.filter(
      (p) => this.files.has(p) && this.ownText(p) === undefined && (this.files.get(p)?.size ?? 0) <= MAX_FILE_BYTES,
    );
    if (wanted.length === 0) return;
    const got = await this.snapshot.readMany(wanted);
    for (const [p, t] of got) this.texts.set(p, t);
  }

  /** Replace a file's content (used to re-resolve a planned edit without touching the snapshot). */
  override(p: string, text: string): void {
    this.texts.set(p, text);
    this.parsed.delete(p);
    this.inherited?.skip.add(p);
    if (!this.files.has(p)) {
      this.files.set(p, { path: p, sha: "override", size: Buffer.byteLength(text) });
      this.dirs.add(path.posix.dirname(p) === "." ? "" : path.posix.dirname(p));
    }
  }

  isFile(p: string): boolean {
    this.noteFile(p);
    return this.files.has(p);
  }

  isDir(p: string): boolean {
    this.note(`d:${p}`, () => (this.dirs.has(p) ? "1" : "0"));
    return this.dirs.has(p);
  }

  text(p: string): string | undefined {
    this.noteFile(p);
    return this.ownText(p);
  }

  /** Whether the text of a path was fetched (no read recorded). */
  hasText(p: string): boolean {
    return this.ownText(p) !== undefined;
  }

  kustomizationIn(dir: string): string | undefined {
    for (const n of KUSTOMIZATION_NAMES) {
      const p = dir ? `${dir}/${n}` : n;
      this.noteFile(p);
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
    this.noteFile(p);
    const cached = this.cachedParse(p);
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
      const t = this.ownText(p);
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
    const list = [...this.files.keys()].filter((p) => p.startsWith(prefix));
    this.note(`l:${dir}`, () => listHash(list));
    return list;
  }
}
