/**
 * The Content-Security-Policy of every page. Scripts: Next's own (each carries the request's
 * nonce; 'strict-dynamic' lets them load their chunks) and the one inline theme script, allowed
 * by its hash. No 'unsafe-eval' outside `next dev`. Styles need 'unsafe-inline': the diff view
 * (react-diff-viewer, emotion) injects <style> elements at run time and a nonce would switch
 * 'unsafe-inline' off. Nothing may frame Ladder.
 */
import { createHash } from "node:crypto";
import { themeScript } from "./theme-script";

export const themeScriptHash = `'sha256-${createHash("sha256").update(themeScript).digest("base64")}'`;

export interface CspOptions {
  nonce: string;
  /** `next dev` needs 'unsafe-eval' for React's debugging; production never gets it. */
  dev: boolean;
  /** Extra form targets: GitHub's sign-in page when a form post redirects there. */
  formActions?: readonly string[];
}

export function contentSecurityPolicy(options: CspOptions): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      `'nonce-${options.nonce}'`,
      themeScriptHash,
      "'strict-dynamic'",
      ...(options.dev ? ["'unsafe-eval'"] : []),
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...(options.dev ? ["ws:", "wss:"] : [])],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'", ...(options.formActions ?? [])],
    "frame-ancestors": ["'none'"],
    "frame-src": ["'none'"],
    "worker-src": ["'self'", "blob:"],
    "manifest-src": ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/** A fresh nonce per response: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}
