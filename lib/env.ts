/**
 * The one place Ladder reads `process.env`. Everything else asks this module,
 * so a bad value is reported once, at start-up, naming the variable.
 *
 * Server settings never reach the browser: `clientEnv` holds the only values a
 * client component may see (none of them secret).
 */
import { BlockList, isIP, SocketAddress } from "node:net";
import path from "node:path";
import { z } from "zod";
import { NOTIFY_VARIABLE_PATTERN } from "./notify/notify-config";
import { parseRegistryHosts, parseRegistryMirrors } from "./registry/registry-hosts";
import { SIGNING_KEY_VARIABLE_PATTERN } from "./registry/signing-key-names";

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL")
  .refine((v) => URL.canParse(v), "is not a valid URL");

const httpUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), "must be an http(s) URL");

const repositoryName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name"');

/** A GitHub login, or an App's bot login ("ladder-ci[bot]"). */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

const port = z.coerce
  .number({ error: "must be a port number" })
  .int("must be a port number")
  .min(1, "must be a port number")
  .max(65535, "must be a port number");

/** An empty string in the environment means "not set", as shells tend to leave them. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const serverSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** Absent: Ladder runs on its embedded Postgres (PGlite) under LADDER_DATA_DIR. */
    DATABASE_URL: optional(postgresUrl),
    /**
     * Connections in the database pool. The launcher sets 1 for the embedded
     * database, whose socket server runs every client on PGlite's one session:
     * a single connection keeps each query and transaction whole.
     */
    DATABASE_POOL_MAX: optional(z.coerce.number({ error: "must be a number of connections" }).int().min(1).max(100)),
    /** Where the embedded database and the demo repository live. */
    LADDER_DATA_DIR: z.string().trim().min(1).default("data"),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: port.default(3000),
    /** GitHub's REST base URL; `http(s)://host/api/v3` for GitHub Enterprise Server. */
    GITHUB_API_URL: httpUrl.default("https://api.github.com"),
    GITHUB_TOKEN: optional(z.string().trim().min(1)),
    GITHUB_APP_ID: optional(
      z.coerce.number({ error: "must be the GitHub App's numeric id" }).int().positive("must be the GitHub App's numeric id"),
    ),
    GITHUB_APP_PRIVATE_KEY: optional(
      z
        .string()
        .transform((v) => v.replaceAll("\\n", "\n"))
        .refine((v) => v.includes("-----BEGIN"), "must be a PEM private key (-----BEGIN … PRIVATE KEY-----)"),
    ),
    GITHUB_APP_INSTALLATION_ID: optional(
      z.coerce.number({ error: "must be a numeric installation id" }).int().positive("must be a numeric installation id"),
    ),
    /** Spacing between GitHub writes in ms (default: Octokit's 1 s, GitHub's advice); the demo lowers it. */
    GITHUB_WRITE_SPACING_MS: optional(z.coerce.number({ error: "must be a number of milliseconds" }).int().min(0)),
    GITHUB_WEBHOOK_SECRET: optional(z.string().min(8, "must be at least 8 characters")),
    /** The GitOps repository Ladder watches, "owner/name". */
    LADDER_REPOSITORY: optional(repositoryName),
    LADDER_BRANCH: z.string().trim().min(1).default("main"),
    /**
     * The `helm` that renders Helm charts for rendered truth (see docs/helm.md): a path or a command
     * name. Absent: `helm` on the PATH; when none runs, Helm cells are read statically only.
     */
    LADDER_HELM: optional(z.string().trim().min(1)),
    /** Port of the demo's GitHub-compatible server (default: any free port). */
    LADDER_DEMO_GITHUB_PORT: optional(port),
    /** The public URL users reach Ladder at (links in PR bodies, OAuth callbacks). */
    LADDER_PUBLIC_URL: optional(httpUrl),
    /** How people sign in: `github` (OAuth), `proxy` (trusted reverse-proxy headers) or `local` (one named user). */
    LADDER_AUTH_MODE: optional(z.enum(["github", "proxy", "local"], { error: 'must be "github", "proxy" or "local"' })),
    /** Signs session cookies; at least 32 characters. Required in production for `github` and `local`. */
    LADDER_AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
    /** The one user of `local` mode. */
    LADDER_LOCAL_USER: optional(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub-style login (letters, digits, '-')"),
    ),
    /**
     * Who `ladder promote` acts as when `--actor` is not given (a pipeline's name): checked against
     * ladder.yaml's promoters like any user, and recorded in the audit trail and the commit.
     */
    LADDER_ACTOR: optional(
      z.string().trim().regex(GITHUB_LOGIN, "must be a GitHub login (letters, digits, '-'; '[bot]' at the end)"),
    ),
    /** `local` mode is refused in production unless this is 1. */
    LADDER_ALLOW_LOCAL_AUTH: z
      .enum(["0", "1", "true", "false"])
      .optional()
      .transform((v) => v === "1" || v === "true"),
    /** Comma-separated addresses or CIDR ranges of the reverse proxies whose identity headers are believed. */
    LADDER_TRUSTED_PROXIES: optional(
      z
        .string()
        .trim()
        .refine((v) => parseAddressList(v) !== undefined, "must be IP addresses or CIDR ranges, comma-separated"),
    ),
    /** Header carrying the user in `proxy` mode (oauth2-proxy: X-Forwarded-User; also X-Auth-Request-User). */
    LADDER_PROXY_USER_HEADER: z.string().trim().toLowerCase().min(1).default("x-forwarded-user"),
    /** Header carrying the e-mail in `proxy` mode. */
    LADDER_PROXY_EMAIL_HEADER: z.string().trim().toLowerCase().min(1).default("x-forwarded-email"),
    /** OAuth app (or GitHub App) client id and secret for `github` mode. */
    GITHUB_OAUTH_CLIENT_ID: optional(z.string().trim().min(1)),
    GITHUB_OAUTH_CLIENT_SECRET: optional(z.string().trim().min(1)),
    /** GitHub's web root for sign-in (default: derived from GITHUB_API_URL, https://github.com for github.com). */
    GITHUB_WEB_URL: optional(httpUrl),
    /**
     * The registries Ladder reads digest evidence from (docs/registry.md): comma-separated hosts
     * (`ghcr.io`, `*.pkg.dev`, `http://127.0.0.1:5000` for plain HTTP), or `off`. Absent: the
     * well-known public registries (lib/registry/registry-hosts.ts DEFAULT_REGISTRIES).
     */
    LADDER_REGISTRIES: optional(
      z
        .string()
        .trim()
        .refine(
          (v) => parseRegistryHosts(v) !== undefined,
          'must be "off" or registry hosts, comma-separated (ghcr.io, *.pkg.dev, http://127.0.0.1:5000)',
        ),
    ),
    /**
     * Registries whose images are read from a mirror: `ghcr.io=http://127.0.0.1:5000`,
     * `docker.io=https://harbor.example.com/hub` (a path is a prefix of every repository).
     */
    LADDER_REGISTRY_MIRRORS: optional(
      z
        .string()
        .trim()
        .refine(
          (v) => parseRegistryMirrors(v) !== undefined,
          "must be registry=URL pairs, comma-separated (ghcr.io=http://127.0.0.1:5000)",
        ),
    ),
    /** A Docker config JSON (`auths`, as `docker login` writes it) with registry credentials. */
    LADDER_REGISTRY_AUTH_FILE: optional(z.string().trim().min(1)),
    /** Per registry request, in ms (default 5000). */
    LADDER_REGISTRY_TIMEOUT_MS: optional(
      z.coerce.number({ error: "must be a number of milliseconds" }).int().min(100).max(60_000),
    ),
    /** Registry requests one page view may make (default 60); the rest of its digests say "not checked". */
    LADDER_REGISTRY_BUDGET: optional(z.coerce.number({ error: "must be a number of requests" }).int().min(0).max(10_000)),
    /** Promotions one person may request per window, "N/duration" (e.g. "10/10m"). */
    LADDER_PROMOTE_RATE_LIMIT: z
      .string()
      .trim()
      .regex(/^\d+\/\d+(?:s|m|h)$/, 'must be "N/duration", e.g. "10/10m"')
      .default("10/10m"),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    const mode = env.LADDER_AUTH_MODE ?? (production ? undefined : "local");
    if (mode === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["LADDER_AUTH_MODE"],
        message: 'is required in production: "github" or "proxy" ("local" also needs LADDER_ALLOW_LOCAL_AUTH=1)',
      });
    if (mode === "local" && production && !env.LADDER_ALLOW_LOCAL_AUTH)
      ctx.addIssue({
        code: "custom",
        path: ["LADDER_AUTH_MODE"],
        message: 'is "local", which is refused in production unless LADDER_ALLOW_LOCAL_AUTH=1',
      });
    if (mode === "github") {
      for (const key of ["GITHUB_OAUTH_CLIENT_ID", "GITHUB_OAUTH_CLIENT_SECRET"] as const)
        if (env[key] === undefined)
          ctx.addIssue({ code: "custom", path: [key], message: 'is required when LADDER_AUTH_MODE is "github"' });
    }
    if (mode === "proxy" && env.LADDER_TRUSTED_PROXIES === undefined)
      ctx.addIssue({ code: "custom", path: ["LADDER_TRUSTED_PROXIES"], message: 'is required when LADDER_AUTH_MODE is "proxy"' });
    if ((mode === "github" || mode === "local") && production && env.LADDER_AUTH_SECRET === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["LADDER_AUTH_SECRET"],
        message: `is required in production with LADDER_AUTH_MODE "${mode}"`,
      });
    const app = [env.GITHUB_APP_ID, env.GITHUB_APP_PRIVATE_KEY, env.GITHUB_APP_INSTALLATION_ID];
    const some = app.some((v) => v !== undefined);
    const all = app.every((v) => v !== undefined);
    if (some && !all) {
      for (const [key, value] of [
        ["GITHUB_APP_ID", env.GITHUB_APP_ID],
        ["GITHUB_APP_PRIVATE_KEY", env.GITHUB_APP_PRIVATE_KEY],
        ["GITHUB_APP_INSTALLATION_ID", env.GITHUB_APP_INSTALLATION_ID],
      ] as const) {
        if (value === undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: "is required when any GITHUB_APP_* variable is set" });
        }
      }
    }
  });

export type ServerEnv = z.infer<typeof serverSchema> & {
  /** LADDER_DATA_DIR resolved to an absolute path. */
  dataDir: string;
  /** How Ladder authenticates to GitHub, derived from the variables above. */
  githubAuth:
    | { kind: "app"; appId: number; privateKey: string; installationId: number }
    | { kind: "token"; token: string }
    | { kind: "none" };
  /** Sign-in settings, derived from the LADDER_AUTH_* variables above. */
  auth: AuthSettings;
};

export interface AuthSettings {
  mode: "github" | "proxy" | "local";
  /** Undefined outside production when none is set: a random per-process secret is used. */
  secret: string | undefined;
  localUser: string;
  trustedProxies: AddressRange[];
  proxyUserHeader: string;
  proxyEmailHeader: string;
  github: { clientId: string; clientSecret: string; webUrl: string } | undefined;
  promoteRateLimit: { limit: number; windowMs: number };
}

/** One entry of LADDER_TRUSTED_PROXIES: a network and prefix length (32 or 128 for a single host). */
export interface AddressRange {
  family: "ipv4" | "ipv6";
  /** Canonical text, as `node:net` prints it (an IPv4-mapped IPv6 entry becomes its IPv4 address). */
  address: string;
  prefix: number;
}

/** An address, its family and canonical text; what `node:net`'s BlockList takes. */
export interface ParsedAddress {
  family: "ipv4" | "ipv6";
  address: string;
}

// A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; Ladder treats it as that IPv4
// address so one IPv4 entry covers both ways the same proxy can appear.
const ipv4Mapped = new BlockList();
ipv4Mapped.addSubnet("::ffff:0:0", 96, "ipv6");
const MAPPED_PREFIX = "::ffff:";

/**
 * IPv4 or IPv6 text → family and canonical text, validated by `node:net` (IPv4 octets with
 * leading zeros are refused: some tools read them as octal). IPv6 may be bracketed or carry a
 * zone (`%eth0`, dropped); IPv4-mapped IPv6 such as ::ffff:10.0.0.1 → its IPv4 address.
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  const bracketed = /^\[(.*)\]$/.exec(text)?.[1];
  const bare = bracketed ?? text;
  const version = isIP(bare);
  // Brackets are IPv6 URL syntax only.
  if (version === 0 || (bracketed !== undefined && version !== 6)) return undefined;
  const family = version === 4 ? "ipv4" : "ipv6";
  const address = new SocketAddress({ address: bare, family }).address;
  // SocketAddress prints a mapped address as ::ffff:a.b.c.d, so its IPv4 part is the tail; were
  // it ever printed otherwise, the address stays IPv6 and matches no IPv4 entry (fails closed).
  if (family === "ipv6" && ipv4Mapped.check(address, "ipv6") && address.startsWith(MAPPED_PREFIX))
    return { family: "ipv4", address: address.slice(MAPPED_PREFIX.length) };
  return { family, address };
}

/**
 * "10.0.0.0/8, 127.0.0.1, ::1" → ranges; undefined when any entry is not an address or CIDR.
 * A prefix counts bits of the address as parsed, so ::ffff:10.0.0.0/8 is the IPv4 10.0.0.0/8.
 */
export function parseAddressList(value: string): AddressRange[] | undefined {
  const out: AddressRange[] = [];
  for (const raw of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [, address = "", prefixText] = /^([^/]*)(?:\/(\d+))?$/.exec(raw) ?? [];
    const parsed = parseAddress(address);
    if (!parsed) return undefined;
    const max = parsed.family === "ipv4" ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (prefix > max) return undefined;
    out.push({ ...parsed, prefix });
  }
  return out.length > 0 ? out : undefined;
}

/** GitHub's web root for an API root: api.github.com → github.com; https://host/api/v3 → https://host. */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, "").replace(/\/+$/, "")}`;
}

const RATE_UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

function authSettings(env: z.infer<typeof serverSchema>): AuthSettings {
  const [limit = "10", window = "10m"] = env.LADDER_PROMOTE_RATE_LIMIT.split("/");
  const unit = window.slice(-1);
  return {
    mode: env.LADDER_AUTH_MODE ?? "local",
    secret: env.LADDER_AUTH_SECRET,
    localUser: env.LADDER_LOCAL_USER ?? "local",
    trustedProxies: env.LADDER_TRUSTED_PROXIES ? (parseAddressList(env.LADDER_TRUSTED_PROXIES) ?? []) : [],
    proxyUserHeader: env.LADDER_PROXY_USER_HEADER,
    proxyEmailHeader: env.LADDER_PROXY_EMAIL_HEADER,
    github:
      env.GITHUB_OAUTH_CLIENT_ID && env.GITHUB_OAUTH_CLIENT_SECRET
        ? {
            clientId: env.GITHUB_OAUTH_CLIENT_ID,
            clientSecret: env.GITHUB_OAUTH_CLIENT_SECRET,
            webUrl: (env.GITHUB_WEB_URL ?? githubWebUrl(env.GITHUB_API_URL)).replace(/\/+$/, ""),
          }
        : undefined,
    promoteRateLimit: { limit: Number(limit), windowMs: Number(window.slice(0, -1)) * (RATE_UNIT_MS[unit] ?? 60_000) },
  };
}

export class EnvError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid environment: ${issues.map((i) => `${i.variable} ${i.message}`).join("; ")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment (default: the process's). Throws EnvError naming each bad variable. */
export function parseServerEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const result = serverSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? "environment");
        const raw = source[variable];
        const shown = raw === undefined || /KEY|SECRET|TOKEN|DATABASE_URL/.test(variable) ? "" : ` (got "${raw}")`;
        return { variable, message: `${issue.message}${shown}` };
      }),
    );
  }
  const env = result.data;
  const githubAuth: ServerEnv["githubAuth"] =
    env.GITHUB_APP_ID !== undefined && env.GITHUB_APP_PRIVATE_KEY !== undefined && env.GITHUB_APP_INSTALLATION_ID !== undefined
      ? {
          kind: "app",
          appId: env.GITHUB_APP_ID,
          privateKey: env.GITHUB_APP_PRIVATE_KEY,
          installationId: env.GITHUB_APP_INSTALLATION_ID,
        }
      : env.GITHUB_TOKEN
        ? { kind: "token", token: env.GITHUB_TOKEN }
        : { kind: "none" };
  return { ...env, dataDir: path.resolve(env.LADDER_DATA_DIR), githubAuth, auth: authSettings(env) };
}

/** The raw process environment, for code that passes it on to a child process. */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}

/**
 * A notification target's URL or secret, by the `LADDER_NOTIFY_*` name ladder.yaml gives it; read
 * when a notification is sent, so it is never part of the validated start-up environment. Any
 * other name is refused (undefined), whatever ladder.yaml says.
 */
export function notifyVariable(name: string, source: Record<string, string | undefined> = process.env): string | undefined {
  if (!NOTIFY_VARIABLE_PATTERN.test(name)) return undefined;
  const value = source[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** `LADDER_REGISTRY_<HOST>_USERNAME` / `_PASSWORD` (lib/registry/credentials.ts); any other name is refused. */
export function registryVariable(name: string, source: Record<string, string | undefined> = process.env): string | undefined {
  if (!/^LADDER_REGISTRY_[A-Z0-9_]+_(?:USERNAME|PASSWORD)$/.test(name)) return undefined;
  const value = source[name];
  return value === undefined || value === "" ? undefined : value;
}

/** A ladder.yaml signing key's `publicKeyEnv` (`LADDER_SIGNING_KEY_*`); any other name is refused. */
export function signingKeyVariable(name: string, source: Record<string, string | undefined> = process.env): string | undefined {
  if (!SIGNING_KEY_VARIABLE_PATTERN.test(name)) return undefined;
  const value = source[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

let cached: ServerEnv | undefined;

/** The process's server environment, parsed once. */
export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv();
  return cached;
}

export { clientEnv } from "./env-client";
