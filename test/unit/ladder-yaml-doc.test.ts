/**
 * docs/ladder-yaml.md cannot drift from the schema: its reference part is regenerated and compared,
 * every schema key has a description (and no description names a key the schema lacks), and every
 * ladder.yaml shown in the docs parses without an error or a warning.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DESCRIPTIONS, DOC_PATH, renderLadderYamlDoc, schemaKeyPaths } from "@/docs/generate-ladder-yaml-doc";
import { ladderJsonSchema, parseLadderConfig } from "@/lib/gitops";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

/** The ```yaml blocks of a Markdown page, in order. */
function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
}

/** Key paths used by a parsed ladder.yaml, in the generator's notation (`apps[].helm.images[].tag`). */
function usedKeyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => usedKeyPaths(v, `${prefix}[]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const key = prefix.endsWith(".paths") ? `${prefix}.<env>` : prefix ? `${prefix}.${k}` : k;
    return [key, ...usedKeyPaths(v, key)];
  });
}

describe("docs/ladder-yaml.md", () => {
  const page = read(DOC_PATH);

  it("its generated reference is what the generator makes from the current schema", () => {
    // On failure: npx tsx docs/generate-ladder-yaml-doc.ts
    expect(renderLadderYamlDoc(page)).toBe(page);
  });

  it("is generated from the same JSON Schema that is published in schema/", () => {
    expect(JSON.parse(read("schema/ladder.schema.json"))).toEqual(ladderJsonSchema());
  });

  it("describes exactly the schema's keys", () => {
    expect(Object.keys(DESCRIPTIONS).sort()).toEqual(schemaKeyPaths().sort());
    for (const [key, text] of Object.entries(DESCRIPTIONS)) expect(text.trim(), key).not.toBe("");
  });

  it("the generator notices a key the schema gains", () => {
    const schema = ladderJsonSchema();
    const props = (schema.properties ?? {}) as Record<string, unknown>;
    const grown = { ...schema, properties: { ...props, newKey: { type: "string" } } };
    expect(() => renderLadderYamlDoc(page, grown)).toThrow(/describe newKey/);
  });

  it("every ladder.yaml example in the docs parses without errors or warnings", () => {
    const blocks = [...yamlBlocks(page), ...yamlBlocks(read("docs/github-app.md")), ...yamlBlocks(read("README.md"))];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) {
      const parsed = parseLadderConfig(block);
      if (!parsed.ok) throw new Error(`${block}\n${JSON.stringify(parsed.errors, null, 2)}`);
      expect(parsed.warnings, block).toEqual([]);
    }
  });

  it("the full example uses every key of the schema", () => {
    const full = page.slice(page.indexOf("## A full example"));
    const block = yamlBlocks(full)[0] ?? "";
    const used = new Set(usedKeyPaths(parse(block)));
    const missing = schemaKeyPaths().filter((k) => !used.has(k));
    expect(missing).toEqual([]);
  });
});
