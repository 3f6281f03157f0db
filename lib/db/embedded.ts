/**
 * The embedded default database: PGlite (Postgres compiled to Wasm) kept under
 * the data directory and served over the Postgres wire protocol on localhost,
 * so the app has a single driver path (pg + @prisma/adapter-pg) either way.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server and closes PGlite cleanly (an unclosed PGlite loses sequence state). */
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port?: number;
  host?: string;
}): Promise<EmbeddedDatabase> {
  const dir = path.join(options.dataDir, "pglite");
  await mkdir(dir, { recursive: true });
  const releaseLock = await lockDataDir(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (error) {
    await releaseLock();
    throw new Error(`Cannot open the embedded database in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const host = options.host ?? "127.0.0.1";
  // Prisma's pool opens several connections; the server multiplexes them onto
  // PGlite's single session, one query at a time.
  const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: 16 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    await releaseLock();
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    if (code === "EADDRINUSE") {
      throw new Error(`The embedded database cannot listen on ${host}:${options.port}: the port is in use.`, { cause: error });
    }
    throw error;
  }
  const port = Number(server.getServerConn().split(":").pop());
  let stopped = false;
  return {
    url: `postgresql://postgres:postgres@${host}:${port}/postgres?sslmode=disable`,
    port,
    dataDir: dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      await releaseLock();
    },
  };
}

/**
 * PGlite does not lock its directory, and two processes writing one data
 * directory corrupt it. A pid file refuses the second one; a lock left by a
 * process that no longer runs is taken over.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dir, "ladder.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number((await readFile(lockFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${owner}${owner === process.pid ? " (this process)" : ""}: stop the other Ladder, or set LADDER_DATA_DIR to another directory.`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`Cannot lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
