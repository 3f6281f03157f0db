/**
 * The one way Ladder talks to a registry: GET over the OCI distribution API with the registries'
 * token flow (a 401 with `WWW-Authenticate: Bearer realm=…,service=…` → a pull token from the
 * realm, anonymous or with the registry's credentials; `Basic` → the credentials themselves), a
 * timeout on every request, a cap on every body, the request budget, and a cool-down: a registry
 * that timed out, failed or rate-limited Ladder is not asked again for a while, so later reads
 * report it unreachable at once instead of each waiting out its own timeout.
 */
import { LRUCache } from "lru-cache";
import type { Credential, CredentialSource } from "./credentials";
import type { RegistryLocation } from "./registry-hosts";
import type { RequestBudget } from "./request-budget";
import { type Challenge, parseWwwAuthenticate } from "./www-authenticate";

export type UnreachableCause = "timeout" | "network" | "server-error" | "rate-limited" | "denied" | "bad-response" | "too-large";

export type HttpOutcome =
  | { kind: "ok"; status: number; body: Buffer; contentType: string | null }
  | { kind: "not-found"; status: number }
  | { kind: "unreachable"; cause: UnreachableCause; reason: string }
  | { kind: "budget" };

export interface RegistryHttpOptions {
  fetch?: typeof fetch;
  credentials?: CredentialSource;
  /** Per request, token requests included (default 5 s). */
  timeoutMs?: number;
  /** How long a registry that timed out, answered 5xx or refused the connection is left alone (default 30 s). */
  cooldownMs?: number;
  now?: () => number;
}

export interface GetOptions {
  accept?: readonly string[];
  budget: RequestBudget;
  maxBytes: number;
  signal?: AbortSignal;
}

interface Down {
  until: number;
  cause: UnreachableCause;
  reason: string;
}

class Unreachable extends Error {
  constructor(
    readonly kind: UnreachableCause,
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

class OutOfBudget extends Error {}

const MAX_TOKEN_BYTES = 64 * 1024;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Unreachable("too-large", `the response is ${declared} bytes, more than the ${maxBytes} Ladder reads`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Unreachable("too-large", `the response is more than the ${maxBytes} bytes Ladder reads`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export class RegistryHttp {
  private readonly fetchFn: typeof fetch;
  private readonly credentials: CredentialSource;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  /** Pull tokens by (API base, repository), each kept for its `expires_in`. */
  private readonly tokens = new LRUCache<string, string>({ max: 2000, ttl: 60_000 });
  /** The last challenge each registry sent, so the next repository asks for its token straight away. */
  private readonly challenges = new Map<string, Challenge>();
  private readonly down = new Map<string, Down>();
  /** Requests sent (token requests included), for tests and benchmarks. */
  requests = 0;

  constructor(options: RegistryHttpOptions = {}) {
    this.fetchFn = options.fetch ?? fetch;
    this.credentials = options.credentials ?? (() => undefined);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** GET `<baseUrl>/v2/<name>/<path>`; `path` starts after the repository (`manifests/sha256:…`). */
  async get(loc: RegistryLocation, path: string, options: GetOptions): Promise<HttpOutcome> {
    const down = this.down.get(loc.baseUrl);
    if (down && down.until > this.now()) return { kind: "unreachable", cause: down.cause, reason: down.reason };
    try {
      return await this.getWithAuth(loc, `${loc.baseUrl}/v2/${loc.name}/${path}`, options);
    } catch (error) {
      if (error instanceof OutOfBudget) return { kind: "budget" };
      if (error instanceof Unreachable) {
        if (error.kind !== "denied" && error.kind !== "too-large" && error.kind !== "bad-response") {
          const wait = error.retryAfterMs ?? this.cooldownMs;
          this.down.set(loc.baseUrl, {
            until: this.now() + wait,
            cause: error.kind,
            reason: `${error.reason} (not asked again for ${seconds(wait)})`,
          });
        }
        return { kind: "unreachable", cause: error.kind, reason: error.reason };
      }
      throw error;
    }
  }

  /** Forgets cool-downs and tokens (tests that restore a registry they broke). */
  reset(): void {
    this.down.clear();
    this.tokens.clear();
    this.challenges.clear();
  }

  private async getWithAuth(loc: RegistryLocation, url: string, options: GetOptions): Promise<HttpOutcome> {
    const known = this.challenges.get(loc.baseUrl);
    let authorization = known ? await this.authorization(loc, known, options) : undefined;
    let response = await this.send(url, options, authorization);
    if (response.status === 401) {
      const challenge = parseWwwAuthenticate(response.headers.get("www-authenticate") ?? "").find(
        (c) => c.scheme === "bearer" || c.scheme === "basic",
      );
      await response.body?.cancel();
      if (!challenge) throw this.denied(loc, response.status);
      // Once more with a fresh token (the cached one may have been revoked); a second 401 is a refusal.
      this.challenges.set(loc.baseUrl, challenge);
      this.tokens.delete(tokenKey(loc));
      authorization = await this.authorization(loc, challenge, options);
      if (authorization === undefined) throw this.denied(loc, response.status);
      response = await this.send(url, options, authorization);
    }
    return this.outcome(loc, response, options);
  }

  private async outcome(loc: RegistryLocation, response: Response, options: GetOptions): Promise<HttpOutcome> {
    const { status } = response;
    if (status >= 200 && status < 300) {
      const body = await readLimited(response, options.maxBytes);
      return { kind: "ok", status, body, contentType: response.headers.get("content-type") };
    }
    await response.body?.cancel();
    if (status === 404) return { kind: "not-found", status };
    if (status === 401 || status === 403) throw this.denied(loc, status);
    if (status === 429) {
      const wait = retryAfterMs(response.headers.get("retry-after"), this.now());
      throw new Unreachable("rate-limited", `${loc.registry} is rate-limiting Ladder (HTTP 429)`, wait);
    }
    if (status >= 500) throw new Unreachable("server-error", `${loc.registry} answered HTTP ${status}`);
    throw new Unreachable("bad-response", `${loc.registry} answered HTTP ${status}`);
  }

  private denied(loc: RegistryLocation, status: number): Unreachable {
    const how = this.credentials(loc.credentialsFor)
      ? "with the configured credentials"
      : "anonymously (no credentials configured)";
    return new Unreachable("denied", `${loc.registry} refused access to ${loc.name} ${how} (HTTP ${status})`);
  }

  private async send(url: string, options: GetOptions, authorization: string | undefined): Promise<Response> {
    if (!options.budget.take()) throw new OutOfBudget();
    this.requests++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { "user-agent": "ladder" };
    if (options.accept) headers.accept = options.accept.join(", ");
    if (authorization) headers.authorization = authorization;
    const host = new URL(url).host;
    try {
      // Registries redirect blob reads to a CDN; fetch drops Authorization on a cross-origin redirect.
      return await this.fetchFn(url, { headers, signal, redirect: "follow" });
    } catch (error) {
      if (timeout.aborted) throw new Unreachable("timeout", `${host} did not answer within ${seconds(this.timeoutMs)}`);
      if (options.signal?.aborted) throw error;
      const detail = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Unreachable("network", `${host} could not be reached (${detail?.code ?? detail?.message ?? String(error)})`);
    }
  }

  /** The Authorization header for a challenge, fetching a token when it is Bearer; undefined for none. */
  private async authorization(loc: RegistryLocation, challenge: Challenge, options: GetOptions): Promise<string | undefined> {
    const credential = this.credentials(loc.credentialsFor);
    if (challenge.scheme === "basic") return credential ? basic(credential) : undefined;
    const key = tokenKey(loc);
    const cached = this.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    const realm = challenge.params.realm;
    if (!realm || !URL.canParse(realm) || !/^https?:$/.test(new URL(realm).protocol))
      throw new Unreachable("bad-response", `${loc.registry} sent a Bearer challenge without a usable realm`);
    const tokenUrl = new URL(realm);
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    tokenUrl.searchParams.set("scope", `repository:${loc.name}:pull`);
    const response = await this.send(tokenUrl.toString(), options, credential ? basic(credential) : undefined);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.denied(loc, response.status);
    }
    const outcome = await this.outcome(loc, response, { ...options, maxBytes: MAX_TOKEN_BYTES });
    if (outcome.kind !== "ok")
      throw new Unreachable("bad-response", `${tokenUrl.host} answered the token request with HTTP ${response.status}`);
    let token: string | undefined;
    let expiresIn = 60;
    try {
      const json = JSON.parse(outcome.body.toString("utf8")) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
      token = typeof json.token === "string" ? json.token : typeof json.access_token === "string" ? json.access_token : undefined;
      if (typeof json.expires_in === "number" && json.expires_in > 0) expiresIn = json.expires_in;
    } catch {
      token = undefined;
    }
    if (!token) throw new Unreachable("bad-response", `${tokenUrl.host} answered the token request without a token`);
    // Renew a little early so a token never expires between the check and the request.
    this.tokens.set(key, token, { ttl: Math.max(1, expiresIn - 10) * 1000 });
    return `Bearer ${token}`;
  }
}

function tokenKey(loc: RegistryLocation): string {
  return `${loc.baseUrl}/${loc.name}`;
}

function basic(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}
