/**
 * The end-to-end run's OpenAPI guard. Playwright starts the demo with `--strict-github`, so the
 * GitHub stand-in answers a request or response that breaks GitHub's OpenAPI description with a
 * 500 and records it. Ladder may swallow that 500 (a retry, a cached page), so the record decides:
 * the auto fixture in e2e/fixtures.ts fails the test during which a violation was recorded, and
 * the global teardown fails the run if any was recorded at all — at start-up, between tests, or in
 * a test that then passed on retry.
 */
import type { Violation } from "../../github-stand-in/openapi-validator";

export function standInUrl(): string {
  return `http://127.0.0.1:${process.env.LADDER_E2E_GITHUB_PORT}`;
}

/** Every violation the stand-in has recorded since it started (the e2e run never clears them). */
export async function recordedViolations(url: string = standInUrl()): Promise<Violation[]> {
  const response = await fetch(`${url}/_control/violations`);
  if (!response.ok) throw new Error(`GET ${url}/_control/violations: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { violations: Violation[] }).violations;
}

/** Throws, naming each, when violations were recorded after the first `seen`. */
export function expectNoNewViolations(all: readonly Violation[], seen: number, during: string): void {
  const fresh = all.slice(seen);
  if (fresh.length === 0) return;
  const lines = fresh.map((v) => `  ${v.operationId} (${v.phase}${v.status ? ` ${v.status}` : ""}): ${v.detail}`);
  throw new Error(
    `The GitHub stand-in recorded ${fresh.length} OpenAPI violation(s) ${during}:\n${lines.join("\n")}\n` +
      "Ladder sent GitHub a request, or the stand-in an answer, that GitHub's description does not allow " +
      "(see github-stand-in/README.md).",
  );
}
