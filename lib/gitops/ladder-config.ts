import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { notifySchema } from "../notify/notify-config";
import { SIGNING_KEY_VARIABLE_PATTERN } from "../registry/signing-key-names";
import { MAX_NAME_LENGTH, NAME_PATTERN } from "../security/names";
import type { ScanWarning } from "./types";
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES } from "./yaml-source";

/** A name that can appear in a path: no slashes, no dot-dot, no leading dash. */
const nameSchema = z.string().min(1).max(MAX_NAME_LENGTH).regex(NAME_PATTERN, "letters, digits, '.', '_' and '-' only");

/** Repo-relative path or pattern; `{app}`, `{env}` and `{target}` are substituted. Never absolute, never `..`. */
const pathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a repo-relative path without '..'");

const durationSchema = z.string().regex(/^\d+(?:\.\d+)?(?:s|m|h|d|w)$/, 'a duration such as "30m", "24h" or "7d"');

const envPolicyFields = {
  /** The environment that feeds this one (its digest is what gets promoted here). */
  from: nameSchema.optional(),
  /** Key paths allowed to differ from the feeding environment (`replicas`, `resources.*`, `ingress.hosts`). */
  allowedDrift: z.array(z.string().min(1)).optional(),
  /** No promotions while frozen. */
  freeze: z.union([z.boolean(), z.strictObject({ reason: z.string().optional(), until: z.string().optional() })]).optional(),
  /** How long a digest must have run in `from` before it may come here. */
  soak: durationSchema.optional(),
  /** Users or teams allowed to promote into this environment. */
  promoters: z.array(z.string().min(1)).optional(),
  /** Users or teams allowed to freeze/unfreeze it. */
  lockers: z.array(z.string().min(1)).optional(),
  /** Allow promoting a tag without a digest (off by default: promotions pin digests). */
  allowTagOnly: z.boolean().optional(),
  /**
   * Merge a promotion's pull request once GitHub says it is mergeable (reviews, checks, branch
   * protection) and the soak has passed; never bypasses protection (off by default).
   */
  autoMerge: z.boolean().optional(),
  /** Targets (clusters, regions) the environment fans out to; an app's `{target}` path names each one's leaf. */
  targets: z.array(nameSchema).min(1).optional(),
  /** Refuse a digest the registry does not have, or that Ladder cannot confirm it has (docs/registry.md). */
  requireInRegistry: z.boolean().optional(),
  /** Refuse a digest without a valid signature by this key of `signing.keys` (cosign or a Sigstore bundle). */
  requireSignature: nameSchema.optional(),
};

/** A public key signatures are verified with: the PEM itself, or the `LADDER_SIGNING_KEY_*` variable holding it. */
export const signingKeySchema = z
  .strictObject({
    name: nameSchema,
    /** PEM (`-----BEGIN PUBLIC KEY-----`): ECDSA P-256/P-384/P-521, Ed25519 or RSA, as `cosign generate-key-pair` writes `cosign.pub`. */
    publicKey: z
      .string()
      .includes("-----BEGIN PUBLIC KEY-----", { message: "must be a PEM public key (-----BEGIN PUBLIC KEY-----)" })
      .optional(),
    /** The environment variable holding the PEM instead. */
    publicKeyEnv: z
      .string()
      .regex(
        SIGNING_KEY_VARIABLE_PATTERN,
        "must be an environment variable named LADDER_SIGNING_KEY_… (capitals, digits and '_')",
      )
      .optional(),
  })
  .refine((k) => (k.publicKey === undefined) !== (k.publicKeyEnv === undefined), {
    message: "a signing key needs exactly one of `publicKey` and `publicKeyEnv`",
  });

export const environmentSchema = z.union([nameSchema, z.strictObject({ name: nameSchema, ...envPolicyFields })]);

export const helmImageKeysSchema = z.strictObject({
  repository: z.string().min(1),
  tag: z.string().min(1).optional(),
  digest: z.string().min(1).optional(),
  registry: z.string().min(1).optional(),
});

export const appSchema = z
  .strictObject({
    /** Omit when `path` contains `{app}`: every matching directory or file becomes an app. */
    name: nameSchema.optional(),
    format: z.enum(["kustomize", "helm", "manifests"]).default("kustomize"),
    /** Pattern for every environment, e.g. `apps/{app}/overlays/{env}` or `charts/{app}/values-{env}.yaml`. */
    path: pathSchema.optional(),
    /** Explicit per-environment paths; win over `path`. */
    paths: z.record(nameSchema, pathSchema).optional(),
    /**
     * For environments with `targets`: the environment's own directory or file, shared by its
     * targets and by no other environment (e.g. `components/{app}/{env}/base`). Promotions into the
     * environment edit it; `path` with `{target}` then names each target's leaf.
     */
    envPath: pathSchema.optional(),
    /** Restrict the app to these environments (default: every environment whose path exists). */
    environments: z.array(nameSchema).optional(),
    helm: z
      .strictObject({
        /** In-repo chart directory, whose values.yaml applies first. */
        chart: pathSchema.optional(),
        /** Extra values files applied before the environment's own file, in order (patterns allowed). */
        valueFiles: z.array(pathSchema).optional(),
        /** Where images live in the values (default: any `*.repository`/`tag`/`digest` mapping and `image:` strings). */
        images: z.array(helmImageKeysSchema).optional(),
      })
      .optional(),
  })
  .refine((a) => a.path !== undefined || a.paths !== undefined, { message: "an app needs `path` or `paths`" })
  .refine((a) => a.name !== undefined || (a.path?.includes("{app}") ?? false), {
    message: "an app without `name` needs `{app}` in `path`",
  });

export const ladderConfigSchema = z.strictObject({
  version: z.literal(1).optional(),
  /** Environments in ladder order, lowest first. */
  environments: z.array(environmentSchema).min(1),
  /** Users or teams (`org/team`) who may see Ladder at all (default: anyone who can sign in). */
  viewers: z.array(z.string().min(1)).optional(),
  apps: z.array(appSchema).min(1),
  /** Where notifications of promotions and locks go (lib/notify/notify-config.ts, docs/notifications.md). */
  notify: notifySchema.optional(),
  /** Keys that sign images; environments name one in `requireSignature` (docs/registry.md). */
  signing: z.strictObject({ keys: z.array(signingKeySchema).min(1) }).optional(),
});

export type LadderConfigInput = z.input<typeof ladderConfigSchema>;
export type LadderConfig = z.output<typeof ladderConfigSchema>;
export type LadderApp = z.output<typeof appSchema>;
export type HelmImageKeysConfig = z.output<typeof helmImageKeysSchema>;

export interface EnvironmentPolicy {
  name: string;
  from?: string;
  allowedDrift: string[];
  freeze: boolean | { reason?: string; until?: string };
  soak?: string;
  /** Soak in milliseconds, for comparisons. */
  soakMs?: number;
  promoters: string[];
  lockers: string[];
  allowTagOnly: boolean;
  /** Ladder merges the pull request once GitHub says it is mergeable and the soak has passed. */
  autoMerge?: boolean;
  /** Promotions need the digest confirmed in its registry. */
  requireInRegistry?: boolean;
  /** Promotions need a valid signature by this `signing.keys` key. */
  requireSignature?: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(d: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(d);
  return m ? Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 0) : undefined;
}

/** Normalised policies in ladder order; `from` defaults to the previous rung. */
export function environmentPolicies(config: LadderConfig): EnvironmentPolicy[] {
  return config.environments.map((e, i) => {
    const prev = config.environments[i - 1];
    const prevName = prev === undefined ? undefined : typeof prev === "string" ? prev : prev.name;
    if (typeof e === "string")
      return { name: e, from: prevName, allowedDrift: [], freeze: false, promoters: [], lockers: [], allowTagOnly: false };
    return {
      name: e.name,
      from: e.from ?? prevName,
      allowedDrift: e.allowedDrift ?? [],
      freeze: e.freeze ?? false,
      soak: e.soak,
      soakMs: e.soak ? parseDuration(e.soak) : undefined,
      promoters: e.promoters ?? [],
      lockers: e.lockers ?? [],
      allowTagOnly: e.allowTagOnly ?? false,
      autoMerge: e.autoMerge ?? false,
      requireInRegistry: e.requireInRegistry ?? false,
      ...(e.requireSignature ? { requireSignature: e.requireSignature } : {}),
    };
  });
}

/** The targets each environment declares (environments without targets are absent). */
export function environmentTargets(config: LadderConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of config.environments) if (typeof e !== "string" && e.targets) out.set(e.name, e.targets);
  return out;
}

export function environmentNames(config: LadderConfig): string[] {
  return config.environments.map((e) => (typeof e === "string" ? e : e.name));
}

export type LadderParseResult =
  | { ok: true; config: LadderConfig; warnings: ScanWarning[] }
  | { ok: false; errors: ScanWarning[] };

/** Finds the YAML node for a zod issue path so the error can point at a line. */
function nodeLine(root: unknown, path: readonly PropertyKey[], lc: LineCounter, unknownKey?: string): number {
  let node = root;
  let line = 1;
  const setLine = (n: unknown) => {
    const r = (n as Node | null)?.range;
    if (r) line = lc.linePos(r[0]).line;
  };
  setLine(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      setLine(pair.key);
      node = pair.value;
    } else if (node && typeof node === "object" && "items" in node && Array.isArray((node as { items: unknown[] }).items)) {
      node = (node as { items: unknown[] }).items[Number(seg)];
      setLine(node);
    } else break;
  }
  if (unknownKey && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === unknownKey);
    if (pair) setLine(pair.key);
  }
  return line;
}

/**
 * Parses and validates `ladder.yaml`. Every problem is reported with the file and the line of the
 * offending key, including unknown keys (the schema is strict so typos do not pass silently).
 */
export function parseLadderConfig(text: string, file = "ladder.yaml"): LadderParseResult {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES)
    return { ok: false, errors: [{ file, line: 1, message: "file is larger than 1 MiB", code: "file-too-large" }] };
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line ?? 1,
        message: `malformed YAML: ${e.message.split("\n")[0]}`,
        code: "yaml-error",
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return {
      ok: false,
      errors: [{ file, line: 1, message: `YAML could not be read: ${(err as Error).message}`, code: "yaml-alias-limit" }],
    };
  }
  const parsed = ladderConfigSchema.safeParse(data);
  if (!parsed.success) {
    const errors: ScanWarning[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          errors.push({
            file,
            line: nodeLine(doc.contents, issue.path, lc, key),
            message: `unknown key '${key}'${issue.path.length ? ` in ${issue.path.join(".")}` : ""}`,
            code: "ladder-config",
          });
        }
      } else {
        errors.push({
          file,
          line: nodeLine(doc.contents, issue.path, lc),
          message: `${issue.path.join(".") || "(root)"}: ${issue.message}`,
          code: "ladder-config",
        });
      }
    }
    return { ok: false, errors };
  }
  const config = parsed.data;
  const warnings: ScanWarning[] = [];
  const names = environmentNames(config);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup)
    return {
      ok: false,
      errors: [
        {
          file,
          line: nodeLine(doc.contents, ["environments"], lc),
          message: `environment '${dup}' is listed twice`,
          code: "ladder-config",
        },
      ],
    };
  config.environments.forEach((e, i) => {
    if (typeof e !== "string" && e.from && !names.includes(e.from)) {
      warnings.push({
        file,
        line: nodeLine(doc.contents, ["environments", i, "from"], lc),
        message: `environment '${e.name}' is fed from unknown environment '${e.from}'`,
        code: "ladder-config",
      });
    }
  });
  config.apps.forEach((a, i) => {
    for (const env of [...Object.keys(a.paths ?? {}), ...(a.environments ?? [])]) {
      if (!names.includes(env))
        warnings.push({
          file,
          line: nodeLine(doc.contents, ["apps", i], lc),
          message: `app ${a.name ?? a.path}: unknown environment '${env}'`,
          code: "ladder-config",
        });
    }
  });
  const keyNames = (config.signing?.keys ?? []).map((k) => k.name);
  const dupKey = keyNames.find((n, i) => keyNames.indexOf(n) !== i);
  if (dupKey)
    return {
      ok: false,
      errors: [
        {
          file,
          line: nodeLine(doc.contents, ["signing", "keys"], lc),
          message: `signing key '${dupKey}' is listed twice`,
          code: "ladder-config",
        },
      ],
    };
  // An environment that requires a key nobody defined could never be promoted into: refuse the file (fail closed, with the line).
  const unknownKey = config.environments.flatMap((e, i) =>
    typeof e !== "string" && e.requireSignature && !keyNames.includes(e.requireSignature)
      ? [{ name: e.name, key: e.requireSignature, i }]
      : [],
  );
  if (unknownKey.length > 0)
    return {
      ok: false,
      errors: unknownKey.map(({ name, key, i }) => ({
        file,
        line: nodeLine(doc.contents, ["environments", i, "requireSignature"], lc),
        message: `environment '${name}' requires a signature by '${key}', which is not in signing.keys`,
        code: "ladder-config",
      })),
    };
  config.notify?.forEach((t, i) => {
    for (const env of t.environments ?? []) {
      if (!names.includes(env))
        warnings.push({
          file,
          line: nodeLine(doc.contents, ["notify", i, "environments"], lc),
          message: `notify target ${t.name}: unknown environment '${env}'`,
          code: "ladder-config",
        });
    }
  });
  return { ok: true, config, warnings };
}

/** The JSON Schema published for editors (generated from the zod schema, so the two cannot drift). */
export function ladderJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ladderConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    ...schema,
    $id: "https://ladder.dev/schema/ladder.schema.json",
    title: "Ladder configuration (ladder.yaml)",
  };
}
