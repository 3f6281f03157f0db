/**
 * Strict mode, and the end-to-end run's guard on it: the GitHub stand-in answers a request or
 * response that breaks GitHub's OpenAPI description with a 500 and records it, and the check the
 * Playwright fixture and global teardown run (e2e/support/openapi-guard.ts) fails on the record.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectNoNewViolations, recordedViolations } from "../../e2e/support/openapi-guard";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";

let server: GitHubServer | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.stop();
  server = undefined;
});

const start = async (strict: boolean) => {
  server = await startGitHubServer({ seed: { "README.md": "hello\n" }, strict });
  return server;
};

const get = (s: GitHubServer, path: string) =>
  fetch(`${s.apiBaseUrl}/repos/acme/gitops${path}`, { headers: { authorization: "token test-token" } });

describe("strict GitHub stand-in (the e2e run)", () => {
  it("answers a request that breaks the description with a 500, records it, and the e2e guard fails", async () => {
    const s = await start(true);
    const seen = (await recordedViolations(s.url)).length;
    expect(seen).toBe(0);

    // per_page must be an integer per GitHub's description.
    const response = await get(s, "/commits?per_page=many");
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toMatch(/^OpenAPI request violation: parameters:/);

    const recorded = await recordedViolations(s.url);
    expect(recorded).toEqual([expect.objectContaining({ operationId: "repos/list-commits", phase: "request" })]);
    expect(() => expectNoNewViolations(recorded, seen, "during this test")).toThrow(
      /recorded 1 OpenAPI violation\(s\) during this test:\n {2}repos\/list-commits \(request\): parameters: .*per_page/,
    );
  });

  it("answers a response that breaks the description with a 500 too", async () => {
    const s = await start(true);
    vi.spyOn(s.control.validator, "validateResponse").mockReturnValueOnce("200 body: must have required property 'sha'");
    const response = await get(s, "/git/ref/heads/main");
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toBe(
      "OpenAPI response violation: 200 body: must have required property 'sha'",
    );
    expect(await recordedViolations(s.url)).toEqual([
      expect.objectContaining({ operationId: "git/get-ref", phase: "response", status: 200 }),
    ]);
  });

  it("the guard only blames a test for violations recorded while it ran", async () => {
    const s = await start(true);
    await get(s, "/commits?per_page=many");
    const seen = (await recordedViolations(s.url)).length;
    expect((await get(s, "/commits?per_page=2")).status).toBe(200);
    const after = await recordedViolations(s.url);
    expect(() => expectNoNewViolations(after, seen, "during this test")).not.toThrow();
    // The global teardown counts from zero: the earlier violation still fails the run.
    expect(() => expectNoNewViolations(after, 0, "during the e2e run")).toThrow(/during the e2e run/);
  });
});

describe("lenient GitHub stand-in (the demo in front of a person)", () => {
  it("lets the request through but still records it", async () => {
    const s = await start(false);
    const response = await get(s, "/commits?per_page=many");
    expect(response.status).toBe(200);
    expect(await recordedViolations(s.url)).toEqual([
      expect.objectContaining({ operationId: "repos/list-commits", phase: "request" }),
    ]);
  });
});
