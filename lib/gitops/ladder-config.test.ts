import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { environmentPolicies, parseLadderConfig } from "./ladder-config";
import { ladderSchemaText, SCHEMA_PATH } from "./write-schema";

describe("parseLadderConfig", () => {
  it("accepts a full config and normalises policies in ladder order", () => {
    const r = parseLadderConfig(
      "environments:\n  - dev\n  - name: staging\n    soak: 2h\n  - name: prod\n    freeze: {reason: holidays}\n    promoters: [sre]\n    allowedDrift: [replicas]\napps:\n  - path: apps/{app}/overlays/{env}\n",
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = environmentPolicies(r.config);
    expect(p.map((x) => [x.name, x.from])).toEqual([
      ["dev", undefined],
      ["staging", "dev"],
      ["prod", "staging"],
    ]);
    expect(p[1]?.soakMs).toBe(7_200_000);
    expect(p[2]?.freeze).toEqual({ reason: "holidays" });
    expect(r.config.apps[0]?.format).toBe("kustomize");
  });

  it("rejects unknown keys with the key's line", () => {
    const r = parseLadderConfig(
      "environments: [dev]\napps:\n  - name: api\n    path: a/{env}\n    fromat: helm\n",
      "ladder.yaml",
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual(
      expect.objectContaining({ file: "ladder.yaml", line: 5, message: expect.stringContaining("fromat") }),
    );
  });

  it("reports bad values with their line: soak duration, path escape, missing {app}", () => {
    const r = parseLadderConfig("environments:\n  - name: prod\n    soak: tomorrow\napps:\n  - path: ../elsewhere/{env}\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.line)).toEqual(expect.arrayContaining([3, 5]));
  });

  it("reports malformed YAML and alias bombs without throwing", () => {
    const bad = parseLadderConfig("environments: [dev\n");
    expect(bad.ok).toBe(false);
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 6 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    const r = parseLadderConfig(bomb);
    expect(r.ok).toBe(false);
  });
});

describe("schema/ladder.schema.json", () => {
  it("is exactly what the zod schema generates (run `npx tsx lib/gitops/write-schema.ts`)", () => {
    const committed = readFileSync(path.resolve(__dirname, "../..", SCHEMA_PATH), "utf8");
    expect(committed).toBe(ladderSchemaText());
  });
});
