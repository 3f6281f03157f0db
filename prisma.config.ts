import path from "node:path";
import { defineConfig } from "prisma/config";
import { resolveSchemaEngine } from "./prisma/engine/resolve-schema-engine.mjs";

// The Prisma CLI downloads a native schema engine, which fails behind a
// firewall. resolveSchemaEngine() points PRISMA_SCHEMA_ENGINE_BINARY at the
// native engine when one is installed and at our Wasm bridge otherwise.
resolveSchemaEngine();

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: {
    // `prisma generate` needs no database; migrate commands need DATABASE_URL
    // (the embedded database's URL is printed by `npm run db:embedded`).
    url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/ladder",
  },
});
