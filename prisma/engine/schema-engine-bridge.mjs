#!/usr/bin/env node
// A stand-in for Prisma's native schema-engine executable, for machines that
// cannot download it (air-gapped CI, firewalled laptops). The Prisma CLI
// spawns the engine with `--datamodels <file>… --datasource <json>` and talks
// JSON-RPC 2.0 over stdin/stdout, one message per line; `… cli <command>` runs
// a one-shot command instead. This bridge answers both by driving the same
// engine compiled to WebAssembly (@prisma/schema-engine-wasm) through the pg
// driver adapter (@prisma/adapter-pg).
//
// Upgrade rule: @prisma/schema-engine-wasm must be the exact version named by
// @prisma/engines-version (see prisma/engine/README.md); check-engine-version
// refuses to start otherwise.

import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";

const require = createRequire(import.meta.url);

/** Parses the CLI's argv into datamodel paths, datasource and an optional one-shot command. */
export function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, command: undefined, previewFeatures: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels") out.datamodels.push(argv[++i]);
    else if (arg === "--datasource") out.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features") out.previewFeatures = String(argv[++i]).split(",");
    else if (arg === "--extension-types") i++;
    else if (arg === "cli") out.command = argv[++i];
    else if (arg === "--version" || arg === "-V") out.command = "--version";
  }
  return out;
}

// Log lines go to stderr as the native engine writes them: the CLI parses
// them as JSON (and skips the first line of a one-shot command's stderr).
function log(level, message, extra = {}) {
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, target: "schema_engine::logger", fields: { message, ...extra } })}\n`,
  );
}

/** Reads a package's package.json even when its `exports` do not list it. */
function packageJson(name) {
  const entry = require.resolve(name);
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
}

export function checkEngineVersion() {
  const enginesPkg = packageJson("@prisma/engines-version");
  const expected = enginesPkg.prisma.enginesVersion;
  const glue = packageJson("@prisma/schema-engine-wasm").version;
  if (!glue.endsWith(expected) || glue !== enginesPkg.version) {
    throw new Error(
      `@prisma/schema-engine-wasm ${glue} does not match @prisma/engines-version ${enginesPkg.version}; ` +
        `install @prisma/schema-engine-wasm@${enginesPkg.version} (see prisma/engine/README.md)`,
    );
  }
}

/** Maps a pg connection error to Prisma's user-facing error codes. */
function prismaErrorFor(error, url) {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  const database = decodeURIComponent(u.pathname.slice(1)) || "postgres";
  if (error.code === "3D000")
    return { error_code: "P1003", message: `Database \`${database}\` does not exist on the database server at \`${where}\`.` };
  if (error.code === "28P01" || error.code === "28000")
    return { error_code: "P1000", message: `Authentication failed against database server at \`${where}\`: ${error.message}` };
  if (error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "ETIMEDOUT" || error.code === "EAI_AGAIN")
    return {
      error_code: "P1001",
      message: `Can't reach database server at \`${where}\`\n\nPlease make sure your database server is running at \`${where}\`.`,
    };
  return { error_code: "P1000", message: `${error.message} (database server at \`${where}\`)` };
}

function adminUrl(url) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  u.pathname = "/postgres";
  return { admin: u.toString(), database };
}

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function runOneShot(command, url) {
  // A first line the CLI skips, as with the native engine.
  log("INFO", `Starting schema engine bridge (${command})`);
  try {
    if (command === "can-connect-to-database") {
      await withClient(url, (c) => c.query("SELECT 1"));
    } else if (command === "create-database") {
      const { admin, database } = adminUrl(url);
      await withClient(admin, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
    } else if (command === "drop-database") {
      const { admin, database } = adminUrl(url);
      await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`));
    } else {
      log("ERROR", `Unknown cli command: ${command}`);
      return 1;
    }
    return 0;
  } catch (error) {
    const mapped = prismaErrorFor(error, url);
    log("ERROR", mapped.message, { error_code: mapped.error_code });
    return 1;
  }
}

// Postgres' internal one-byte `"char"` (OID 18) and `name` (OID 19) columns
// appear in the catalog queries the engine runs to describe a schema; the pg
// adapter does not map them. Both arrive as strings, so report them as text.
const PG_CHAR = 18;
const PG_NAME = 19;
const PG_TEXT = 25;
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function addFieldsAsText(fields) {
  addFields.call(this, fields);
  for (const field of this.fields) {
    if (field.dataTypeID === PG_CHAR || field.dataTypeID === PG_NAME) field.dataTypeID = PG_TEXT;
  }
};

/**
 * The pg adapter factory, with shadow databases created and dropped
 * explicitly: the Wasm engine does not always dispose of the shadow
 * connection, so the bridge tracks what it created and drops it on exit.
 */
async function makeAdapterFactory(datasource) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
  const factory = new PrismaPg({ connectionString: datasource.url });
  const shadows = [];
  factory.connectToShadowDb = async () => {
    if (datasource.shadowDatabaseUrl) {
      return new PrismaPg({ connectionString: datasource.shadowDatabaseUrl }).connect();
    }
    const { admin } = adminUrl(datasource.url);
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await withClient(admin, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    shadows.push(name);
    const u = new URL(datasource.url);
    u.pathname = `/${name}`;
    const adapter = await new PrismaPg({ connectionString: u.toString() }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await dropShadow(admin, name);
    };
    return adapter;
  };
  async function dropShadow(admin, name) {
    const i = shadows.indexOf(name);
    if (i < 0) return;
    shadows.splice(i, 1);
    await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).catch((error) =>
      log("WARN", `Could not drop shadow database ${name}: ${error.message}`),
    );
  }
  const cleanup = async () => {
    const { admin } = adminUrl(datasource.url);
    for (const name of [...shadows]) await dropShadow(admin, name);
  };
  return { bound: bindMigrationAwareSqlAdapterFactory(factory), cleanup };
}

/** Turns whatever the Wasm engine threw into a JSON-RPC error the CLI understands. */
export function toRpcError(error) {
  const payload = typeof error === "object" && error !== null ? error : { message: String(error) };
  // The engine throws its user-facing error as a JSON string or an object.
  let data = payload;
  if (typeof payload.message === "string") {
    try {
      const parsed = JSON.parse(payload.message);
      if (parsed && typeof parsed === "object") data = parsed;
    } catch {
      // not JSON: a plain message
    }
  }
  const isPanic = error instanceof WebAssembly.RuntimeError || data.is_panic === true;
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: isPanic,
      message: data.message ?? String(error),
      error_code: data.error_code ?? undefined,
      meta: data.meta ?? undefined,
    },
  };
}

/**
 * Loads the engine by hand: the package's entry imports a `.wasm` file as an
 * ES module, which Node 20 cannot do, so instantiate it and hand the exports
 * to the wasm-bindgen glue ourselves.
 */
async function loadWasmEngine() {
  const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
  const bytes = readFileSync(path.join(dir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  return glue;
}

// The Wasm engine reaches a shadow database only through the adapter factory,
// and only devDiagnostic, diagnoseMigrationHistory and diff are handed the
// factory; evaluateDataLoss and createMigration read the schema the migration
// history produces from a per-engine cache those fill. The native engine
// creates its own shadow database instead. So before either call, fill the
// cache for the same migrations with a devDiagnostic (read-only).
const NEEDS_MIGRATION_SCHEMA = new Set(["evaluateDataLoss", "createMigration"]);

async function warmMigrationSchemaCache(engine, params) {
  const migrationsList = params?.migrationsList;
  if (!migrationsList || migrationsList.migrationDirectories.length === 0) return;
  await engine.devDiagnostic({ migrationsList, filters: params.filters ?? { externalTables: [], externalEnums: [] } });
}

async function runRpc(args) {
  checkEngineVersion();
  const wasm = await loadWasmEngine();
  const datamodels = args.datamodels.map((path) => [path, readFileSync(path, "utf8")]);
  if (!args.datasource?.url) {
    throw new Error("the schema engine bridge needs --datasource with a url (set DATABASE_URL)");
  }
  const { bound, cleanup } = await makeAdapterFactory(args.datasource);
  const engine = await wasm.SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    (message) => log("INFO", String(message)),
    bound,
  );

  const write = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  // Requests are answered in order: the CLI sends one at a time, and the
  // engine is not re-entrant.
  let queue = Promise.resolve();
  let printId = 1_000_000;
  const pendingPrints = new Map();
  const printViaCli = (content) =>
    new Promise((resolve) => {
      const id = printId++;
      pendingPrints.set(id, resolve);
      write({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    // Replies to our `print` requests bypass the queue: the request that
    // printed is waiting for them.
    try {
      const reply = JSON.parse(line);
      if (reply && (reply.result !== undefined || reply.error !== undefined) && pendingPrints.has(reply.id)) {
        pendingPrints.get(reply.id)();
        pendingPrints.delete(reply.id);
        return;
      }
    } catch {
      // handled below
    }
    queue = queue.then(async () => {
      let request;
      try {
        request = JSON.parse(line);
      } catch {
        write({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
        return;
      }
      const method = request.method;
      if (typeof engine[method] !== "function") {
        write({ jsonrpc: "2.0", id: request.id, error: { code: -32601, message: `Method not found: ${method}` } });
        return;
      }
      try {
        if (NEEDS_MIGRATION_SCHEMA.has(method)) await warmMigrationSchemaCache(engine, request.params);
        const result = await engine[method](request.params ?? {});
        if (method === "diff" && result && typeof result.stdout === "string") {
          // The native engine prints the diff through a `print` request to the
          // CLI and returns no stdout; do the same so the CLI shows it.
          await printViaCli(result.stdout.replace(/\n$/, ""));
          write({ jsonrpc: "2.0", id: request.id, result: { ...result, stdout: null } });
          return;
        }
        write({ jsonrpc: "2.0", id: request.id, result: result ?? null });
      } catch (error) {
        write({ jsonrpc: "2.0", id: request.id, error: toRpcError(error) });
      }
    });
  });
  await new Promise((resolve) => rl.on("close", resolve));
  await queue;
  await cleanup();
  engine.free();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.command === "--version") {
    process.stdout.write(`schema-engine-bridge ${packageJson("@prisma/schema-engine-wasm").version}\n`);
    return 0;
  }
  if (args.command) {
    if (!args.datasource?.url) {
      log("INFO", "Starting schema engine bridge");
      log("ERROR", "No datasource url given", { error_code: "P1012" });
      return 1;
    }
    return runOneShot(args.command, args.datasource.url);
  }
  await runRpc(args);
  return 0;
}

// Run only when executed, not when imported by the unit tests.
const invokedAs = process.argv[1] ? realpathSync(process.argv[1]) : "";
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      log("ERROR", error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
