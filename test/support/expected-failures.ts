/**
 * Tests that are known to fail until an open issue fixes them, listed in one place by folder and
 * test name. Each runs as `it.fails`: it must still fail, so the moment a fix makes it pass CI
 * fails too and the entry has to come off here. Never a skip — the test body runs every time.
 */
import { it } from "vitest";

interface ExpectedFailure {
  /** The issue whose fix makes these pass. */
  issue: number;
  why: string;
  tests: readonly string[];
}

export const CONFORMANCE_TESTS = {
  environments: "finds exactly the expected environments, in ladder order where names say so",
  cells: "finds exactly the expected apps and cells",
  images: "resolves every expected image and no wrong tag or digest",
  kustomize: "agrees with kubectl kustomize wherever the copy renders offline",
  helm: "agrees with helm template wherever the chart renders offline",
  unresolvable: "explains every unresolvable cell with a warning instead of a guess",
} as const;

/**
 * conformance (test/integration/gitops-conformance.test.ts): folder of ../shared/fixtures/real-gitops → failures.
 * Empty since #13 read govuk-helm-charts, sds-flux-config and deployment-charts; a new folder the
 * engine cannot read yet is listed here, citing its issue, until the fix makes it pass.
 */
export const CONFORMANCE_EXPECTED_FAILURES: Readonly<Record<string, ExpectedFailure>> = {};

/** `it`, or `it.fails` when `test` of `folder` is listed as an expected failure. */
export function conformanceIt(folder: string, test: string): typeof it | typeof it.fails {
  return CONFORMANCE_EXPECTED_FAILURES[folder]?.tests.includes(test) ? it.fails : it;
}
