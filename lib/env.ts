/**
 * The one place Ladder reads `process.env`. Everything else asks this module,
 * so a bad value is reported once, at start-up, naming the variable.
 *
 * Server settings never reach the browser: `clientEnv` holds the only values a
 * client component may see (none of them secret).
 */
import path from "node:path";
import { z } from "zod";

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
    /** Set by `npm run demo`: the repository is the local sample served by the GitHub-compatible server. */
    LADDER_DEMO: z
      .enum(["0", "1", "true", "false"])
      .optional()
      .transform((v) => v === "1" || v === "true"),
    /** Port of the demo's GitHub-compatible server (default: any free port). */
    LADDER_DEMO_GITHUB_PORT: optional(port),
    /** The public URL users reach Ladder at (links in PR bodies, OAuth callbacks). */
    LADDER_PUBLIC_URL: optional(httpUrl),
  })
  .superRefine((env, ctx) => {
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
};

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
  return { ...env, dataDir: path.resolve(env.LADDER_DATA_DIR), githubAuth };
}

/** The raw process environment, for code that passes it on to a child process. */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}

let cached: ServerEnv | undefined;

/** The process's server environment, parsed once. */
export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv();
  return cached;
}

export { clientEnv } from "./env-client";
