/**
 * Which registries Ladder reads evidence from (`LADDER_REGISTRIES`), and where each one's API
 * lives. Image names come from the GitOps repository, so without a list any commit could make
 * Ladder send requests to any host it names (a cloud metadata address, an internal service): the
 * list is the one place that says which hosts Ladder may contact, and whether over plain HTTP.
 */

/** The public registries read when `LADDER_REGISTRIES` is not set. */
export const DEFAULT_REGISTRIES = [
  "docker.io",
  "ghcr.io",
  "quay.io",
  "registry.k8s.io",
  "gcr.io",
  "*.gcr.io",
  "*.pkg.dev",
  "public.ecr.aws",
  "mcr.microsoft.com",
  "registry.gitlab.com",
] as const;

export interface RegistryHostRule {
  /** `ghcr.io`, `127.0.0.1:5000`, or `*.pkg.dev` (any subdomain). */
  pattern: string;
  /** Spoken to over plain HTTP (written `http://host:port`); only for a registry on a trusted network. */
  plainHttp: boolean;
}

/** Off (`off`/`none`), or the hosts Ladder may read. */
export type RegistryHosts = { enabled: false } | { enabled: true; rules: RegistryHostRule[] };

const HOST_PATTERN = /^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/;

/**
 * `LADDER_REGISTRIES` → rules: comma-separated hosts (`ghcr.io`, `registry.example.com:5000`,
 * `*.pkg.dev`, `http://127.0.0.1:5000`); `off` or `none` turns registry evidence off; unset means
 * {@link DEFAULT_REGISTRIES}. Undefined when an entry is not a host.
 */
export function parseRegistryHosts(value: string | undefined): RegistryHosts | undefined {
  if (value === undefined || value.trim() === "")
    return { enabled: true, rules: DEFAULT_REGISTRIES.map((pattern) => ({ pattern, plainHttp: false })) };
  const trimmed = value.trim().toLowerCase();
  if (trimmed === "off" || trimmed === "none" || trimmed === "0" || trimmed === "false") return { enabled: false };
  const rules: RegistryHostRule[] = [];
  for (const raw of trimmed
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const plainHttp = raw.startsWith("http://");
    const host = raw.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    if (!HOST_PATTERN.test(host)) return undefined;
    rules.push({ pattern: canonicalRegistry(host), plainHttp });
  }
  return rules.length > 0 ? { enabled: true, rules } : undefined;
}

/** Docker Hub's other names are Docker Hub. */
export function canonicalRegistry(host: string): string {
  const h = host.toLowerCase();
  return h === "index.docker.io" || h === "registry-1.docker.io" || h === "registry.hub.docker.com" ? "docker.io" : h;
}

/** The rule that lets Ladder read `registry`, if any. */
export function registryRule(hosts: RegistryHosts, registry: string): RegistryHostRule | undefined {
  if (!hosts.enabled) return undefined;
  const host = canonicalRegistry(registry);
  return hosts.rules.find((r) =>
    r.pattern.startsWith("*.") ? host.endsWith(r.pattern.slice(1)) && host.length > r.pattern.length - 1 : r.pattern === host,
  );
}

export interface RegistryLocation {
  /** The registry as image names write it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
  registry: string;
  /** The repository as the API is asked for it (`library/nginx`; a mirror's prefix included). */
  name: string;
  /** Where its API answers (`https://registry-1.docker.io`, or a mirror's). */
  baseUrl: string;
  /** Whose credentials are sent: the registry, or the mirror's host. */
  credentialsFor: string;
}

/** Where a registry's images are read instead (`LADDER_REGISTRY_MIRRORS`): a base URL and a path prefix. */
export interface RegistryMirror {
  baseUrl: string;
  prefix: string;
}

/**
 * `LADDER_REGISTRY_MIRRORS` → registry → mirror: `ghcr.io=http://127.0.0.1:5000`,
 * `docker.io=https://harbor.example.com/hub` (a path after the host is a prefix of every
 * repository, as a pull-through cache's project is). Undefined when an entry is malformed.
 */
export function parseRegistryMirrors(value: string | undefined): Map<string, RegistryMirror> | undefined {
  const out = new Map<string, RegistryMirror>();
  if (value === undefined || value.trim() === "") return out;
  for (const entry of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf("=");
    const registry = canonicalRegistry(entry.slice(0, Math.max(eq, 0)).trim());
    const target = entry.slice(eq + 1).trim();
    if (eq <= 0 || !HOST_PATTERN.test(registry) || registry.startsWith("*.") || !URL.canParse(target)) return undefined;
    const url = new URL(target);
    if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) return undefined;
    const prefix = url.pathname.replace(/^\/+|\/+$/g, "");
    out.set(registry, { baseUrl: url.origin, prefix: prefix ? `${prefix}/` : "" });
  }
  return out;
}

/**
 * A Docker-normalised repository (`docker.io/library/nginx`, `ghcr.io/acme/api`; see
 * lib/gitops/image-ref.ts `normaliseRepository`) → where to ask about it.
 */
export function locateRepository(repositoryNormalised: string, plainHttp: boolean, mirror?: RegistryMirror): RegistryLocation {
  const slash = repositoryNormalised.indexOf("/");
  const registry = canonicalRegistry(repositoryNormalised.slice(0, slash));
  const name = repositoryNormalised.slice(slash + 1);
  if (mirror)
    return { registry, name: `${mirror.prefix}${name}`, baseUrl: mirror.baseUrl, credentialsFor: new URL(mirror.baseUrl).host };
  const apiHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
  return { registry, name, baseUrl: `${plainHttp ? "http" : "https"}://${apiHost}`, credentialsFor: registry };
}
