/**
 * `npm start` / `npm run dev`: everything Ladder needs around the Next.js
 * server. Validates the environment, starts the embedded database when no
 * DATABASE_URL is set, applies migrations, then runs Next with the database URL
 * and stops it all cleanly on Ctrl-C. Each failure is one line and a non-zero exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { type EmbeddedDatabase, startEmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { EnvError, parseServerEnv, processEnv, type ServerEnv } from "../../lib/env";
import { assertPortFree } from "./port";

export interface ServeOptions {
  mode: "start" | "dev";
  /** Extra variables for the Next process (the demo adds its GitHub settings). */
  extraEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RunningLadder {
  url: string;
  databaseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
  exited: Promise<number>;
}

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

const nextBin = path.resolve("node_modules", "next", "dist", "bin", "next");
/** The production server: the same standalone output the container runs. */
const standaloneDir = path.resolve(".next", "standalone");

export async function serve(
  options: ServeOptions,
  source: Record<string, string | undefined> = processEnv(),
): Promise<RunningLadder> {
  const log = options.log ?? ((line: string) => console.log(`ladder: ${line}`));
  let env: ServerEnv;
  try {
    // Validate as the server will run: `npm start` is production, so sign-in must be configured.
    env = parseServerEnv({ ...source, ...options.extraEnv, NODE_ENV: options.mode === "dev" ? "development" : "production" });
  } catch (error) {
    if (error instanceof EnvError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
  if (options.mode === "start" && !existsSync(path.join(standaloneDir, "server.js"))) {
    throw new StartupError("No production build in .next: run `npm run build` first (or `npm run dev`).");
  }
  try {
    await assertPortFree(env.HOST, env.PORT);
  } catch (error) {
    throw new StartupError((error as Error).message, { cause: error });
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    try {
      embedded = await startEmbeddedDatabase({ dataDir: env.dataDir });
    } catch (error) {
      throw new StartupError(`Cannot start the embedded database in ${env.dataDir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    databaseUrl = embedded.url;
    log(`embedded database in ${embedded.dataDir} (set DATABASE_URL to use your own PostgreSQL)`);
  }
  try {
    const result = await migrate(databaseUrl, { log });
    log(`database schema up to date (${result.applied.length} applied, ${result.alreadyApplied.length} already there)`);
  } catch (error) {
    await embedded?.stop();
    throw new StartupError((error as Error).message, { cause: error });
  }

  const childEnv = {
    ...source,
    ...options.extraEnv,
    NODE_ENV: options.mode === "dev" ? "development" : "production",
    DATABASE_URL: databaseUrl,
    // PGlite has one session: one pooled connection keeps queries from interleaving.
    ...(embedded ? { DATABASE_POOL_MAX: "1" } : {}),
    NEXT_TELEMETRY_DISABLED: "1",
    // The standalone server reads HOSTNAME and PORT.
    HOSTNAME: env.HOST,
    PORT: String(env.PORT),
  } as const;
  const child =
    options.mode === "dev"
      ? spawn(process.execPath, [nextBin, "dev", "-p", String(env.PORT), "-H", env.HOST], { stdio: "inherit", env: childEnv })
      : spawn(process.execPath, [path.join(standaloneDir, "server.js")], { stdio: "inherit", env: childEnv, cwd: standaloneDir });
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await embedded?.stop();
    })();
    return stopping;
  };
  const url = `http://${env.HOST === "0.0.0.0" ? "localhost" : env.HOST}:${env.PORT}`;
  return { url, databaseUrl, child, stop, exited };
}
