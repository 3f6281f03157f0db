/**
 * Checks proxy.ts runs on every request before Next routes it: the Host header names Ladder
 * (no DNS rebinding onto a loopback listener), and a state-changing request comes from
 * Ladder's own origin (no cross-site POST to a route handler or a server action).
 */
import { isLoopbackHost } from "../auth/auth-urls";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type GuardResult = { ok: true } | { ok: false; status: 403 | 421; reason: string };

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Origin check for unsafe methods. A browser always sends Origin on a cross-origin POST (and
 * on same-origin ones too, in every current engine); a request without it is refused unless
 * Sec-Fetch-Site says it is same-origin. `allowedOrigins` are full origins (scheme://host:port).
 */
export function checkOrigin(method: string, headers: HeaderSource, allowedOrigins: readonly string[]): GuardResult {
  if (SAFE_METHODS.has(method.toUpperCase())) return { ok: true };
  const origin = headers.get("origin");
  if (origin) {
    if (origin !== "null" && allowedOrigins.includes(origin)) return { ok: true };
    return { ok: false, status: 403, reason: `cross-origin ${method} from ${origin} refused` };
  }
  const site = headers.get("sec-fetch-site");
  if (site === "same-origin") return { ok: true };
  return { ok: false, status: 403, reason: `${method} without an Origin header refused` };
}

/** The origins of this request's own Host, under both schemes' default ports as sent. */
export function requestOrigin(headers: HeaderSource, protocol: string): string | undefined {
  const host = headers.get("host");
  return host ? `${protocol.replace(/:$/, "")}://${host}` : undefined;
}

/**
 * Host check: with LADDER_PUBLIC_URL set, only its host (and loopback names, for health checks
 * and the machine itself); without it, only loopback names and the listening host.
 * `allowedHostnames` undefined means "any" (a non-loopback listener with no public URL set).
 */
export function checkHost(hostHeader: string | null, allowedHostnames: ReadonlySet<string> | undefined): GuardResult {
  if (!allowedHostnames) return { ok: true };
  if (!hostHeader) return { ok: false, status: 421, reason: "no Host header" };
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return { ok: false, status: 421, reason: "malformed Host header" };
  }
  if (allowedHostnames.has(hostname) || isLoopbackHost(hostname)) return { ok: true };
  return { ok: false, status: 421, reason: `Host ${hostname} is not this Ladder` };
}
