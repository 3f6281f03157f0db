import { expectNoNewViolations, recordedViolations } from "./support/openapi-guard";

/** Fails the run if the GitHub stand-in recorded any OpenAPI violation, even in a test that passed on retry. */
export default async function globalTeardown(): Promise<void> {
  expectNoNewViolations(await recordedViolations(), 0, "during the e2e run");
}
