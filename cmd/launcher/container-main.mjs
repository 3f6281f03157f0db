// The container's entry point (see Dockerfile): the build stage bundles this
// file and the lib/ TypeScript it imports into one self-contained ESM file,
// so the runtime image needs neither tsx nor the full node_modules.
// It validates the environment, applies prisma/migrations with the project's
// runner (an advisory lock lets replicas start together), then serves the
// Next.js standalone server in this same process, which handles SIGTERM.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MigrationError, migrate } from "../../lib/db/migrate.ts";
import { EnvError, parseServerEnv, processEnv } from "../../lib/env.ts";

function fail(message) {
  console.error(`ladder: ${message}`);
  process.exit(1);
}

let env;
try {
  env = parseServerEnv();
} catch (error) {
  if (error instanceof EnvError) fail(error.message);
  throw error;
}
if (!env.DATABASE_URL) {
  fail("DATABASE_URL is required in the container: the embedded database is for local use only.");
}
try {
  const result = await migrate(env.DATABASE_URL, { log: (line) => console.log(`ladder: ${line}`) });
  console.log(
    `ladder: database schema up to date (${result.applied.length} applied, ${result.alreadyApplied.length} already there)`,
  );
} catch (error) {
  if (error instanceof MigrationError) fail(error.message);
  throw error;
}
// Next's standalone server reads HOSTNAME, which Docker and Kubernetes set to
// the container's own name; bind where Ladder's HOST says instead.
const variables = processEnv();
variables.HOSTNAME = env.HOST;
variables.PORT = String(env.PORT);
// Kubernetes stops a pod with SIGTERM; Node as PID 1 has no default handler
// for it, and the standalone server registers none.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    console.log(`ladder: ${signal} received, stopping`);
    process.exit(0);
  });
}
await import(pathToFileURL(path.resolve("server.js")).href);
