/**
 * lib/ knows nothing of React or Next and never reaches up into app/, components/ or the entry
 * points in cmd/ (DESIGN.md, "Layout"). biome.json's noRestrictedImports says the same for lib/**;
 * this test also resolves relative paths, so `../../components/x` is caught wherever it is
 * written from, and it reads every way a module can be named: import, export … from, import(),
 * require().
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(".");
const LIB = path.join(ROOT, "lib");
/** Prisma's generated client is not Ladder's code. */
const SKIPPED = new Set([path.join(LIB, "generated")]);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Packages lib/ may not name: the frameworks and their bindings. */
const FRAMEWORK = /^(next|react|react-dom)(\/|$)|^better-auth\/(next-js|react)(\/|$)/;
/** The folders above lib/ in the arrows (app/ → lib/, components/ → lib/, cmd/ → lib/). */
const UPSTREAM = ["app", "components", "cmd"].map((dir) => path.join(ROOT, dir));

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (SKIPPED.has(full)) continue;
    if (entry.isDirectory()) sources(full, out);
    else if (SOURCE.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every module specifier in `text`: static imports and re-exports, side-effect imports, import(), require(). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\b(?:import|require)\s*\(\s*(['"`])([^'"`]+)\1/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) if (match[2]) found.push(match[2]);
  return found;
}

/** Why `specifier`, written in `file`, breaks the boundary; undefined when it does not. */
function violation(file: string, specifier: string): string | undefined {
  if (FRAMEWORK.test(specifier)) return "a framework import";
  let target: string | undefined;
  if (specifier.startsWith("@/")) target = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) target = path.resolve(path.dirname(file), specifier);
  if (target === undefined) return undefined;
  const upstream = UPSTREAM.find((dir) => target === dir || target.startsWith(`${dir}${path.sep}`));
  return upstream ? `reaches up into ${path.relative(ROOT, upstream)}/` : undefined;
}

describe("the boundary check itself", () => {
  const file = path.join(LIB, "auth", "session.ts");
  it.each([
    'import { headers } from "next/headers";',
    "import { cache } from 'react';",
    'import type { NextRequest } from "next/server";',
    'export { nextCookies } from "better-auth/next-js";',
    'import "react-dom";',
    'const m = await import("next/headers");',
    'const r = require("react");',
    'import { themeScript } from "../../components/theme";',
    'import { Icon } from "@/components/ui/icons";',
    'import { getActor } from "@/app/_auth/session";',
    'import { x } from "../../app/page";',
    'import { freePort } from "../../cmd/launcher/port";',
    'import { sampleDigest } from "@/cmd/demo/sample-repo";',
  ])("catches %s", (line) => {
    const names = specifiers(line);
    expect(names).toHaveLength(1);
    expect(names.map((name) => violation(file, name)).filter(Boolean)).toHaveLength(1);
  });

  it.each([
    'import { betterAuth } from "better-auth";',
    'import { z } from "zod";',
    'import { getAppOverview } from "../data/app";',
    'import { db } from "@/lib/db/client";',
    'import "server-only";',
  ])("allows %s", (line) => {
    expect(
      specifiers(line)
        .map((name) => violation(file, name))
        .filter(Boolean),
    ).toEqual([]);
  });
});

describe("lib/ imports no React, no Next, nothing from app/, components/ or cmd/", () => {
  const files = sources(LIB);
  it("finds lib's sources", () => expect(files.length).toBeGreaterThan(50));
  it("every one of them", () => {
    const broken = files.flatMap((file) =>
      specifiers(readFileSync(file, "utf8")).flatMap((name) => {
        const why = violation(file, name);
        return why ? [`${path.relative(ROOT, file)}: ${name} (${why})`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });
});
