/**
 * App and environment names from URLs and forms. A name must look like one (no slashes, no
 * `..`, no leading dot or dash) and must be one the current scan knows; anything else is a
 * 404, never a path.
 */
import { z } from "zod";

/**
 * What an app or environment name may look like, wherever one is written: ladder.yaml
 * (lib/gitops/ladder-config.ts, and from it the JSON Schema and docs/ladder-yaml.md), URLs and forms.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 100;

export function isSafeName(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(value) && !value.includes("..");
}

/** An app or environment name in a form or query (zod): the same rule as `isSafeName`. */
export const environmentName = z.string().refine(isSafeName, "must be a plain name (letters, digits, '.', '_', '-')");
export const appName = environmentName;

interface ScanNames {
  environments: readonly string[];
  apps: readonly { name: string }[];
}

/** The app's name as the scan spells it, or undefined when it is not an app of the scan. */
export function knownApp(scan: ScanNames, value: unknown): string | undefined {
  if (!isSafeName(value)) return undefined;
  return scan.apps.find((a) => a.name === value)?.name;
}

/** The environment's name as the scan spells it, or undefined when it is not an environment of the scan. */
export function knownEnvironment(scan: ScanNames, value: unknown): string | undefined {
  if (!isSafeName(value)) return undefined;
  return scan.environments.find((e) => e === value);
}
