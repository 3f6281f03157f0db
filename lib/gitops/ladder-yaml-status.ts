/**
 * How a scan's ladder.yaml bears on policy. An invalid ladder.yaml fails closed: it refuses
 * every promotion, rollback, lock and unlock, naming the file, line and error, and never falls
 * back to "no policy" (which is what a missing file means). Only the layout and who may look
 * come from the last valid ladder.yaml, so a typo neither hides the matrix nor widens its audience.
 */
import { type LadderConfig, parseLadderConfig } from "./ladder-config";
import { scanContext } from "./scan";
import type { LadderYamlStatus, ScanResult } from "./types";

/** The refusal every state-changing action gives while ladder.yaml is invalid; undefined when it is not. */
export function ladderYamlRefusal(status: LadderYamlStatus): string | undefined {
  if (status.state !== "invalid") return undefined;
  const [first, ...rest] = status.errors;
  const error = first ? `${first.file}:${first.line}: ${first.message}` : "it does not validate";
  const more = rest.length > 0 ? ` (and ${rest.length} more error${rest.length === 1 ? "" : "s"})` : "";
  return `${status.file} at ${status.commit.slice(0, 7)} is invalid: ${error}${more}; promotions, rollbacks, locks and unlocks are refused until it is fixed`;
}

/** The valid ladder.yaml that decides policy; undefined when it is missing or invalid. */
export function policyConfig(scan: ScanResult): LadderConfig | undefined {
  return scanContext(scan)?.config;
}

/** The ladder.yaml whose `viewers` apply: this commit's, or for an invalid one the last valid one. */
export function viewersConfig(scan: ScanResult): LadderConfig | undefined {
  const ctx = scanContext(scan);
  return ctx?.config ?? ctx?.fallbackConfig;
}

/** True when `text` is a ladder.yaml that validates (used to find the last valid one in history). */
export function isValidLadderYaml(text: string, file: string): boolean {
  return parseLadderConfig(text, file).ok;
}
