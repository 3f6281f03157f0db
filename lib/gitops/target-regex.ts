import { RE2JS } from "re2js";

/**
 * Kustomize patch targets (`group`, `version`, `kind`, `name`, `namespace`) are Go regular
 * expressions. They come from the repository, so they are compiled with RE2 (re2js) rather than
 * `new RegExp`: RE2 matches in time linear in the input, where a backtracking engine takes
 * exponential time on patterns like `(a+)+$`, and the scan runs on the server thread.
 * RE2 is also the dialect Kustomize itself speaks (Go's regexp), so lookarounds and backreferences
 * are rejected here exactly as `kustomize build` rejects them.
 */
export type TargetRegex = { ok: true; test: (value: string) => boolean } | { ok: false; error: string };

/** Kustomize's `anchorRegex` (api/types/selector.go): the whole value must match. */
function anchor(pattern: string): string {
  return `^(?:${pattern})$`;
}

/**
 * Repositories repeat the same few patterns across every overlay, and RE2 compilation costs more
 * than a match, so compiled patterns are kept; the bound keeps a repository with many distinct
 * patterns from growing the cache without limit.
 */
const CACHE_LIMIT = 512;
const cache = new Map<string, TargetRegex>();

function compile(source: string): TargetRegex {
  try {
    const re = RE2JS.compile(source);
    return { ok: true, test: (value) => re.test(value) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Compiles a Go regular expression as written (no anchoring added) once; an invalid one comes back
 * as `{ ok: false }` with RE2's message. Kustomize's `images:` names are matched this way too.
 */
export function compileGoRegex(source: string): TargetRegex {
  const hit = cache.get(source);
  if (hit) return hit;
  const compiled = compile(source);
  // Map keeps insertion order, so the first key is the oldest entry.
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, compiled);
  return compiled;
}

/** Compiles a target pattern once; an invalid pattern comes back as `{ ok: false }` with RE2's message. */
export function compileTargetRegex(pattern: string): TargetRegex {
  return compileGoRegex(anchor(pattern));
}

/**
 * Whether a target field matches a value, as Kustomize's SelectorRegex does. An invalid pattern
 * matches nothing: Kustomize fails the build on it, and the caller reports it as a warning.
 */
export function targetRegexMatches(pattern: string, value: string): boolean {
  const re = compileTargetRegex(pattern);
  return re.ok && re.test(value);
}
