import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ladderJsonSchema } from "./ladder-config";

/** The committed schema file's exact text (tests compare it with a fresh generation). */
export function ladderSchemaText(): string {
  return `${JSON.stringify(ladderJsonSchema(), null, 2)}\n`;
}

export const SCHEMA_PATH = "schema/ladder.schema.json";

// `npx tsx lib/gitops/write-schema.ts` regenerates schema/ladder.schema.json from the zod schema.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..", SCHEMA_PATH);
  writeFileSync(target, ladderSchemaText());
  process.stdout.write(`wrote ${target}\n`);
}
