// Decides which schema engine the Prisma CLI runs: the native one whenever it
// can be had, the Wasm bridge otherwise. Called from prisma.config.ts, so every
// `prisma …` command gets the same answer without a wrapper script.
import { accessSync, constants, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const bridgePath = path.join(here, "schema-engine-bridge.mjs");

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The native engine @prisma/engines' postinstall downloaded, if it did. */
export function findNativeEngine() {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/engines/package.json"));
    const candidate = readdirSync(dir).find((f) => f.startsWith("schema-engine-") && !f.includes("."));
    const file = candidate ? path.join(dir, candidate) : undefined;
    return file && isExecutable(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets PRISMA_SCHEMA_ENGINE_BINARY unless the user already chose an engine.
 * Returns which engine was picked, for the tests and `npm run db:engine`.
 */
export function resolveSchemaEngine(env = process.env) {
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) return { kind: "user", path: env.PRISMA_SCHEMA_ENGINE_BINARY };
  const native = findNativeEngine();
  if (native) {
    env.PRISMA_SCHEMA_ENGINE_BINARY = native;
    return { kind: "native", path: native };
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = bridgePath;
  return { kind: "bridge", path: bridgePath };
}
