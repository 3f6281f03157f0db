/**
 * Ladder's registry reader: evidence for a digest (lib/registry/image-evidence.ts) and its
 * signatures (signature-evidence.ts), behind the caches that make it cheap. A digest names its
 * manifest forever, so a found answer is kept until memory pushes it out; "not found" is believed
 * for a minute (a push may be on its way), and signatures for five (they are added after a build).
 * Identical questions asked at once share one read. Nothing here blocks on a slow registry for
 * longer than its timeout, and a registry that failed is cooled down (registry-http.ts).
 */
import { LRUCache } from "lru-cache";
import { isPullableDigest, normaliseRepository } from "../gitops/image-ref";
import type { AskedFor, ImageEvidence, ImageFound, RegistryEvidence, SignatureEvidence, Skipped } from "./evidence-types";
import type { FetchContext } from "./fetch-oci";
import { readImageEvidence } from "./image-evidence";
import { locateRepository, type RegistryHosts, type RegistryLocation, type RegistryMirror, registryRule } from "./registry-hosts";
import { RegistryHttp, type RegistryHttpOptions } from "./registry-http";
import { RequestBudget } from "./request-budget";
import { readSignatureEvidence } from "./signature-evidence";
import type { SigningKey } from "./signing-keys";

export interface RegistryReaderOptions extends RegistryHttpOptions {
  hosts: RegistryHosts;
  /** Registries read from a mirror instead (LADDER_REGISTRY_MIRRORS). */
  mirrors?: ReadonlyMap<string, RegistryMirror>;
  /** Requests one view may make when the caller does not say (default 60). */
  defaultBudget?: number;
  /** How long "not found" is believed (default 60 s). */
  notFoundTtlMs?: number;
  /** How long a signature answer is kept (default 5 min). */
  signatureTtlMs?: number;
  /** Entries per cache (default 10,000). */
  maxEntries?: number;
  /** Shown when evidence is off, to say how to turn it on. */
  offHint?: string;
}

export interface ReadOptions {
  budget: RequestBudget;
  signal?: AbortSignal;
}

export class RegistryReader {
  readonly http: RegistryHttp;
  private readonly hosts: RegistryHosts;
  private readonly mirrors: ReadonlyMap<string, RegistryMirror>;
  private readonly defaultBudget: number;
  private readonly found: LRUCache<string, ImageFound>;
  private readonly notFound: LRUCache<string, ImageEvidence>;
  private readonly signatures: LRUCache<string, SignatureEvidence>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly offHint: string;

  constructor(options: RegistryReaderOptions) {
    this.http = new RegistryHttp(options);
    this.hosts = options.hosts;
    this.mirrors = options.mirrors ?? new Map();
    this.defaultBudget = options.defaultBudget ?? 60;
    const max = options.maxEntries ?? 10_000;
    this.found = new LRUCache({ max });
    this.notFound = new LRUCache({ max, ttl: options.notFoundTtlMs ?? 60_000 });
    this.signatures = new LRUCache({ max, ttl: options.signatureTtlMs ?? 300_000 });
    this.offHint = options.offHint ?? "set LADDER_REGISTRIES to the registries to read (docs/registry.md)";
  }

  /** Registry evidence is on: some registry may be read. */
  get enabled(): boolean {
    return this.hosts.enabled;
  }

  /** A fresh budget for one page view or one promotion preview. */
  budget(limit = this.defaultBudget): RequestBudget {
    return new RequestBudget(limit);
  }

  /** Where to ask about `repository`, or why Ladder will not. */
  locate(repository: string): { loc: RegistryLocation; asked: Omit<AskedFor, "digest"> } | Skipped {
    if (!this.hosts.enabled) return { state: "skipped", reason: "disabled", detail: `registry evidence is off: ${this.offHint}` };
    const normalised = normaliseRepository(repository);
    const registry = normalised.slice(0, normalised.indexOf("/"));
    const rule = registryRule(this.hosts, registry);
    if (!rule)
      return {
        state: "skipped",
        reason: "disabled",
        detail: `${registry} is not among the registries Ladder reads (LADDER_REGISTRIES)`,
      };
    const loc = locateRepository(normalised, rule.plainHttp, this.mirrors.get(registry));
    return { loc, asked: { registry: loc.registry, repository: `${loc.registry}/${loc.name}` } };
  }

  /** Is the digest in its registry, and what is it? */
  async image(repository: string, digest: string, options: ReadOptions): Promise<ImageEvidence> {
    const where = this.where(repository, digest);
    if ("state" in where) return where;
    const key = `${where.asked.repository}@${digest}`;
    const cached = this.found.get(key) ?? this.notFound.get(key);
    if (cached) return cached;
    return this.once(`image ${key}`, async () => {
      const result = await readImageEvidence(this.ctx(options), where.loc, where.asked);
      if (result.state === "found" && !result.incomplete) this.found.set(key, result);
      if (result.state === "not-found") this.notFound.set(key, result);
      return result;
    });
  }

  /** The digest's signatures, verified against `keys` (ladder.yaml's `signing.keys`, loaded). */
  async signature(
    repository: string,
    digest: string,
    keys: readonly SigningKey[],
    options: ReadOptions,
  ): Promise<SignatureEvidence> {
    if (keys.length === 0) return { state: "no-keys" };
    const where = this.where(repository, digest);
    if ("state" in where) return where;
    const key = `${where.asked.repository}@${digest} ${keys.map((k) => `${k.name}=${k.fingerprint}`).join(",")}`;
    const cached = this.signatures.get(key);
    if (cached) return cached;
    return this.once(`signature ${key}`, async () => {
      const result = await readSignatureEvidence(this.ctx(options), where.loc, where.asked, keys);
      if (result.state === "signed" || result.state === "unsigned" || result.state === "invalid")
        this.signatures.set(key, result);
      return result;
    });
  }

  /**
   * Both, for one digest. The signatures of a digest the registry does not have, or serves wrong
   * bytes for, are not read: nothing there can be trusted to be this artifact's.
   */
  async evidence(
    repository: string,
    digest: string,
    options: ReadOptions & { keys: readonly SigningKey[] },
  ): Promise<RegistryEvidence> {
    const image = await this.image(repository, digest, options);
    if (options.keys.length === 0) return { image, signature: { state: "no-keys" } };
    if (image.state === "not-found")
      return {
        image,
        signature: { ...image, state: "unsigned", checked: [`${image.repository}@${digest} is not in the registry`] },
      };
    if (image.state === "mismatch") {
      const reason = `the registry's ${image.what} for ${digest} hashes to ${image.got}: nothing it serves for this digest is trusted`;
      return { image, signature: { ...image, state: "invalid", reason, signatures: [] } };
    }
    return { image, signature: await this.signature(repository, digest, options.keys, options) };
  }

  private where(repository: string, digest: string): { loc: RegistryLocation; asked: AskedFor } | Skipped {
    if (!isPullableDigest(digest))
      return { state: "skipped", reason: "not-pinned", detail: `'${digest}' is not a digest a registry can be asked for` };
    const located = this.locate(repository);
    if ("state" in located) return located;
    return { loc: located.loc, asked: { ...located.asked, digest } };
  }

  private ctx(options: ReadOptions): FetchContext {
    return { http: this.http, budget: options.budget, signal: options.signal };
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
