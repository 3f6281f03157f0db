/**
 * The stand-in's merge gates against the strict OpenAPI subset: reviews, commit statuses, check
 * runs and suites, branch protection; `mergeable_state` moving through blocked, unstable,
 * behind, dirty and clean as GitHub's would; `PUT …/merge` refused with GitHub's 405 messages
 * while protection is unmet; and the `pull_request_review`, `status` and `check_suite` webhooks,
 * each checked against GitHub's payload schema.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { createGitHubClient, type GitHubClient } from "../../lib/github/client";

let server: GitHubServer;
let gh: GitHubClient;
const repo = { owner: "acme", repo: "gitops" };

beforeEach(async () => {
  server = await startGitHubServer({
    seed: { "README.md": "hello\n", "app.yaml": "digest: one\n" },
    strict: true,
    oauth: { users: [{ login: "alice" }, { login: "bob" }] },
  });
  gh = createGitHubClient({
    auth: { kind: "token", token: "test-token" },
    baseUrl: server.apiBaseUrl,
    retries: 0,
    writeSpacingMs: 0,
  });
});

afterEach(async () => {
  expect(server.control.violations()).toEqual([]);
  await server.stop();
});

async function openPull(branch = "ladder/app/prod/abc", file = "app.yaml"): Promise<{ number: number; sha: string }> {
  const sha = await server.control.commit({ [file]: "digest: two\n" }, { branch, message: "Promote" });
  const { data } = await gh.octokit.pulls.create({ ...repo, head: branch, base: "main", title: "Promote app" });
  return { number: data.number, sha };
}

const state = async (n: number) => {
  const { data } = await gh.octokit.pulls.get({ ...repo, pull_number: n });
  return { mergeable: data.mergeable, state: data.mergeable_state };
};

const mergeError = async (n: number, sha?: string) => {
  const error = await gh.octokit.pulls.merge({ ...repo, pull_number: n, ...(sha ? { sha } : {}) }).then(
    () => undefined,
    (e: { status: number; response?: { data?: { message?: string } } }) => e,
  );
  return error ? { status: error.status, message: error.response?.data?.message } : undefined;
};

describe("GitHub stand-in: reviews, statuses, checks and protection", () => {
  it("serves each endpoint within GitHub's description, and reads back what was written", async () => {
    const { number, sha } = await openPull();
    server.control.review(number, { user: "alice", event: "APPROVE" });
    const reviews = await gh.octokit.pulls.listReviews({ ...repo, pull_number: number });
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([["alice", "APPROVED"]]);

    const created = await gh.octokit.repos.createCommitStatus({ ...repo, sha, state: "pending", context: "ci/test" });
    expect(created.data).toMatchObject({ state: "pending", context: "ci/test" });
    await gh.octokit.repos.createCommitStatus({ ...repo, sha, state: "success", context: "ci/test" });
    await gh.octokit.repos.createCommitStatus({ ...repo, sha, state: "success", context: "ci/lint" });
    const combined = await gh.octokit.repos.getCombinedStatusForRef({ ...repo, ref: sha });
    expect(combined.data.state).toBe("success");
    expect(combined.data.statuses.map((s) => [s.context, s.state]).sort()).toEqual([
      ["ci/lint", "success"],
      ["ci/test", "success"],
    ]);

    const run = await gh.octokit.checks.create({ ...repo, name: "build", head_sha: sha, status: "in_progress" });
    expect(run.data).toMatchObject({ status: "in_progress", conclusion: null });
    const done = await gh.octokit.checks.update({ ...repo, check_run_id: run.data.id, conclusion: "success" });
    expect(done.data).toMatchObject({ status: "completed", conclusion: "success" });
    const runs = await gh.octokit.checks.listForRef({ ...repo, ref: sha });
    expect(runs.data.check_runs.map((r) => [r.name, r.conclusion, r.pull_requests?.map((p) => p.number)])).toEqual([
      ["build", "success", [number]],
    ]);
    const suites = await gh.octokit.checks.listSuitesForRef({ ...repo, ref: sha });
    expect(suites.data.check_suites.map((s) => [s.status, s.conclusion])).toEqual([["completed", "success"]]);

    const unprotected = await gh.octokit.repos
      .getBranchProtection({ ...repo, branch: "main" })
      .catch((e: { status: number }) => e);
    expect(unprotected).toMatchObject({ status: 404 });
    server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test", "build"] });
    const protection = await gh.octokit.repos.getBranchProtection({ ...repo, branch: "main" });
    expect(protection.data.required_pull_request_reviews?.required_approving_review_count).toBe(2);
    expect(protection.data.required_status_checks?.contexts).toEqual(["ci/test", "build"]);
  });

  it("computes mergeable_state from protection, reviews and checks, and merge refuses until it is met", async () => {
    const { number, sha } = await openPull();
    expect(await state(number)).toEqual({ mergeable: true, state: "clean" });

    server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test"] });
    expect(await state(number)).toEqual({ mergeable: true, state: "blocked" });
    expect(await mergeError(number, sha)).toEqual({
      status: 405,
      message: "At least 2 approving reviews are required by reviewers with write access.",
    });

    server.control.review(number, { user: "alice", event: "APPROVE" });
    server.control.review(number, { user: "bob", event: "APPROVE" });
    expect(await mergeError(number, sha)).toEqual({ status: 405, message: 'Required status check "ci/test" is expected.' });
    await server.control.setStatus({ pull: number }, { context: "ci/test", state: "pending" });
    expect(await mergeError(number, sha)).toEqual({ status: 405, message: 'Required status check "ci/test" is expected.' });
    await server.control.setStatus({ pull: number }, { context: "ci/test", state: "failure" });
    expect(await mergeError(number, sha)).toEqual({ status: 405, message: 'Required status check "ci/test" is failing.' });
    await server.control.setStatus({ pull: number }, { context: "ci/test", state: "success" });
    expect(await state(number)).toEqual({ mergeable: true, state: "clean" });

    // Changes requested by one reviewer block again, whatever the others said.
    server.control.review(number, { user: "bob", event: "REQUEST_CHANGES", body: "not yet" });
    expect(await state(number)).toMatchObject({ state: "blocked" });
    server.control.review(number, { user: "bob", event: "APPROVE" });

    // A check outside the required ones that has not passed: mergeable, but unstable.
    await server.control.reportCheck({ pull: number }, { name: "lint", status: "in_progress" });
    expect(await state(number)).toEqual({ mergeable: true, state: "unstable" });
    await server.control.reportCheck({ pull: number }, { name: "lint", conclusion: "success" });
    expect(await state(number)).toEqual({ mergeable: true, state: "clean" });

    // Strict status checks: a base that moved on leaves the head behind.
    server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test"], strict: true });
    await server.control.commit({ "README.md": "moved on\n" }, { message: "Unrelated" });
    expect(await state(number)).toEqual({ mergeable: true, state: "behind" });
    expect(await mergeError(number, sha)).toEqual({
      status: 405,
      message: "Head branch is not up to date with the base branch.",
    });

    server.control.setBranchProtection({ requiredApprovingReviews: 2, requiredChecks: ["ci/test"] });
    // The head it checked moved: GitHub refuses with 409 rather than merge what nobody checked.
    await server.control.commit({ "app.yaml": "digest: three\n" }, { branch: "ladder/app/prod/abc", message: "Push" });
    expect(await mergeError(number, sha)).toEqual({
      status: 409,
      message: "Head branch was modified. Review and try the merge again.",
    });
    // The new head has no status yet: the required check is expected again.
    expect(await state(number)).toMatchObject({ state: "blocked" });
    const newHead = await server.control.head("ladder/app/prod/abc");
    await server.control.setStatus({ pull: number }, { context: "ci/test", state: "success" });
    await server.control.reportCheck({ pull: number }, { name: "lint", conclusion: "success" });
    const merged = await gh.octokit.pulls.merge({ ...repo, pull_number: number, ...(newHead ? { sha: newHead } : {}) });
    expect(merged.data.merged).toBe(true);
  });

  it("reports conflicts as dirty", async () => {
    const { number } = await openPull();
    await server.control.commit({ "app.yaml": "digest: other\n" }, { message: "Conflicting change" });
    expect(await state(number)).toEqual({ mergeable: false, state: "dirty" });
  });

  it("refuses a review of one's own pull request, as GitHub does", async () => {
    const { number } = await openPull();
    const error = await gh.octokit.pulls
      .createReview({ ...repo, pull_number: number, event: "APPROVE" })
      .catch((e: { status: number; response?: { data?: unknown } }) => e);
    expect(error).toMatchObject({ status: 422, response: { data: { errors: ["Can not approve your own pull request"] } } });
  });

  it("delivers pull_request_review, status and check_suite webhooks in GitHub's shapes, a suite once all its runs completed", async () => {
    const { number } = await openPull();
    server.control.review(number, { user: "alice", event: "APPROVE" });
    await server.control.setStatus({ pull: number }, { context: "ci/test", state: "success" });
    await server.control.reportCheck({ pull: number }, { name: "build", status: "in_progress" });
    await server.control.reportCheck({ pull: number }, { name: "lint", status: "queued" });
    await server.control.reportCheck({ pull: number }, { name: "build", conclusion: "success" });
    const suitesBefore = server.control.deliveries().filter((d) => d.event === "check_suite");
    expect(suitesBefore).toEqual([]);
    await server.control.reportCheck({ pull: number }, { name: "lint", conclusion: "failure" });
    await server.control.flushWebhooks();

    const events = server.control.deliveries().map((d) => [d.event, d.action ?? null]);
    expect(events).toEqual(
      expect.arrayContaining([
        ["pull_request_review", "submitted"],
        ["status", null],
        ["check_suite", "completed"],
      ]),
    );
    const suite = server.control.deliveries().find((d) => d.event === "check_suite")?.payload as {
      check_suite: { conclusion: string; pull_requests: { number: number }[] };
    };
    expect(suite.check_suite.conclusion).toBe("failure");
    expect(suite.check_suite.pull_requests.map((p) => p.number)).toEqual([number]);
    // Webhook payloads are validated before delivery: a mismatch would be a violation (afterEach).
  });
});
