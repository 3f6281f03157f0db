import { GENERIC_DIRS, isWellKnownEnv, NON_ENV_DIRS } from "./env-names";

/** The app name a path implies: the nearest directory that is not a generic word (`k8s`, `deploy`, …). */
export function appNameFromPath(root: string): string | undefined {
  const segs = root.split("/").filter(Boolean);
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i] ?? "";
    if (GENERIC_DIRS.has(s.toLowerCase()) || NON_ENV_DIRS.has(s.toLowerCase())) continue;
    if (isWellKnownEnv(s)) continue;
    return s;
  }
  return undefined;
}
