/**
 * Commit statuses, check runs and suites, and branch protection as GitHub serves them:
 * set a status (announces `status`), read a commit's combined status; create and update check
 * runs (one suite per commit for the stand-in's one CI app; when its last run completes the
 * suite announces `check_suite` `completed`), list a commit's runs and suites; read a branch's
 * protection (404 "Branch not protected" without one). Protection is set through the control API.
 */
import { checkRepo, now, repoJson, type StandIn } from "./context";
import {
  checkRunJson,
  checkSuiteJson,
  combinedStatusJson,
  headCommitJson,
  type PullRef,
  protectionJson,
  statusJson,
} from "./gate-objects";
import { simpleUser } from "./github-objects";
import { HttpError, notFound, type RouteTable, record, str, unprocessable } from "./http";
import {
  type CheckConclusion,
  type CheckRunRecord,
  type CheckStatus,
  type CheckSuiteRecord,
  type StatusRecord,
  type StatusState,
  suiteResult,
} from "./merge-gates";
import { announceCheckSuite, announceStatus } from "./webhooks";

const STATUS_STATES: readonly StatusState[] = ["error", "failure", "pending", "success"];

/** Open pull requests whose head is `sha`: what check runs and suites list as theirs. */
function pullsAt(s: StandIn, sha: string): PullRef[] {
  return s.pulls.list.filter((p) => p.state === "open" && p.headSha === sha);
}

async function commitSha(s: StandIn, ref: string): Promise<string> {
  const sha =
    /^[0-9a-f]{40}$/.test(ref) && (await s.store.readCommit(ref))
      ? ref
      : ((await s.store.resolveRef(`refs/heads/${ref}`)) ?? (await s.store.resolveRef(`refs/tags/${ref}`)));
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

/** Sets a commit status (as CI would) and announces it. */
export async function setCommitStatus(
  s: StandIn,
  sha: string,
  input: { state: StatusState; context?: string; description?: string | null; targetUrl?: string | null; creator?: string },
): Promise<StatusRecord> {
  if (!(await s.store.readCommit(sha))) throw new HttpError(422, `No commit found for SHA: ${sha}`);
  const at = now();
  const status: StatusRecord = {
    id: s.gates.id(),
    sha,
    context: input.context ?? "default",
    state: input.state,
    description: input.description ?? null,
    targetUrl: input.targetUrl ?? null,
    creator: input.creator ?? s.actor,
    createdAt: at,
    updatedAt: at,
  };
  s.gates.statuses.push(status);
  await announceStatus(s, status);
  return status;
}

function suiteFor(s: StandIn, sha: string): CheckSuiteRecord {
  const existing = s.gates.checkSuites.find((x) => x.sha === sha);
  if (existing) return existing;
  const at = now();
  const headBranch = s.pulls.list.find((p) => p.headSha === sha)?.head ?? null;
  const suite: CheckSuiteRecord = { id: s.gates.id(), sha, headBranch, createdAt: at, updatedAt: at, announced: false };
  s.gates.checkSuites.push(suite);
  return suite;
}

/** After a run changed: a suite whose runs have all completed announces `check_suite` completed, once. */
async function settleSuite(s: StandIn, suite: CheckSuiteRecord): Promise<void> {
  suite.updatedAt = now();
  const { status } = suiteResult(s.gates.runsOfSuite(suite.id));
  if (status !== "completed") {
    suite.announced = false;
    return;
  }
  if (suite.announced) return;
  suite.announced = true;
  await announceCheckSuite(s, suite, pullsAt(s, suite.sha));
}

export interface CheckRunInput {
  name: string;
  status?: CheckStatus;
  conclusion?: CheckConclusion;
  externalId?: string;
  detailsUrl?: string;
  output?: { title?: string; summary?: string; text?: string };
}

/** Creates a check run on `sha`; `conclusion` alone completes it, as on GitHub. */
export async function createCheckRun(s: StandIn, sha: string, input: CheckRunInput): Promise<CheckRunRecord> {
  if (!(await s.store.readCommit(sha)))
    throw unprocessable("No commit found for SHA", [{ resource: "CheckRun", code: "invalid" }]);
  const suite = suiteFor(s, sha);
  const at = now();
  const completed = input.conclusion !== undefined || input.status === "completed";
  if (input.status === "completed" && input.conclusion === undefined)
    throw unprocessable("Validation Failed", [{ resource: "CheckRun", field: "conclusion", code: "missing_field" }]);
  const run: CheckRunRecord = {
    id: s.gates.id(),
    suiteId: suite.id,
    sha,
    name: input.name,
    status: completed ? "completed" : (input.status ?? "queued"),
    conclusion: input.conclusion ?? null,
    externalId: input.externalId ?? null,
    detailsUrl: input.detailsUrl ?? null,
    startedAt: at,
    completedAt: completed ? at : null,
    output: { title: input.output?.title ?? null, summary: input.output?.summary ?? null, text: input.output?.text ?? null },
  };
  s.gates.checkRuns.push(run);
  await settleSuite(s, suite);
  return run;
}

export async function updateCheckRun(s: StandIn, id: number, input: Partial<CheckRunInput>): Promise<CheckRunRecord> {
  const run = s.gates.checkRuns.find((r) => r.id === id);
  if (!run) throw notFound();
  if (input.name) run.name = input.name;
  if (input.conclusion !== undefined) {
    Object.assign(run, { status: "completed", conclusion: input.conclusion, completedAt: now() });
  } else if (input.status === "completed") {
    throw unprocessable("Validation Failed", [{ resource: "CheckRun", field: "conclusion", code: "missing_field" }]);
  } else if (input.status) {
    Object.assign(run, { status: input.status, conclusion: null, completedAt: null });
  }
  if (input.detailsUrl) run.detailsUrl = input.detailsUrl;
  if (input.output) run.output = { ...run.output, ...input.output };
  const suite = s.gates.checkSuites.find((x) => x.id === run.suiteId);
  if (suite) await settleSuite(s, suite);
  return run;
}

function checkRunInput(body: unknown): Partial<CheckRunInput> {
  const input = record(body);
  const output = record(input.output);
  return {
    ...(str(input.name) ? { name: str(input.name) } : {}),
    ...(str(input.status) ? { status: str(input.status) as CheckStatus } : {}),
    ...(str(input.conclusion) ? { conclusion: str(input.conclusion) as CheckConclusion } : {}),
    ...(str(input.external_id) ? { externalId: str(input.external_id) } : {}),
    ...(str(input.details_url) ? { detailsUrl: str(input.details_url) } : {}),
    ...(input.output === undefined
      ? {}
      : {
          output: {
            ...(str(output.title) ? { title: str(output.title) } : {}),
            ...(str(output.summary) ? { summary: str(output.summary) } : {}),
            ...(str(output.text) ? { text: str(output.text) } : {}),
          },
        }),
  };
}

function page<T>(items: readonly T[], query: URLSearchParams): T[] {
  const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
  const n = Math.max(Number(query.get("page") ?? 1) || 1, 1);
  return items.slice((n - 1) * perPage, n * perPage);
}

export function registerCheckEndpoints(routes: RouteTable, s: StandIn): void {
  const R = "/repos/{owner}/{repo}";

  routes.add("POST", `${R}/statuses/{sha}`, "repos/create-commit-status", async ({ params, body, headers }) => {
    checkRepo(s, params);
    const input = record(body);
    const state = str(input.state) as StatusState;
    if (!STATUS_STATES.includes(state))
      throw unprocessable("Validation Failed", [{ resource: "Status", field: "state", code: "invalid" }]);
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(headers.authorization ?? "")?.[1] ?? "";
    const status = await setCommitStatus(s, params.sha ?? "", {
      state,
      ...(str(input.context) ? { context: str(input.context) } : {}),
      description: str(input.description) ?? null,
      targetUrl: str(input.target_url) ?? null,
      creator: s.oauth.userForToken(token)?.login ?? s.actor,
    });
    return {
      status: 201,
      body: { ...statusJson(s.urls, s.identity, status), creator: simpleUser(s.urls, status.creator) },
    };
  });

  routes.add("GET", `${R}/commits/{ref}/status`, "repos/get-combined-status-for-ref", async ({ params, query }) => {
    checkRepo(s, params);
    const sha = await commitSha(s, params.ref ?? "").catch(() => {
      throw notFound();
    });
    const statuses = page(s.gates.latestStatuses(sha), query);
    return { status: 200, body: combinedStatusJson(s.urls, s.identity, repoJson(s), sha, statuses) };
  });

  routes.add("POST", `${R}/check-runs`, "checks/create", async ({ params, body }) => {
    checkRepo(s, params);
    const input = checkRunInput(body);
    const sha = str(record(body).head_sha) ?? "";
    const run = await createCheckRun(s, sha, { ...input, name: input.name ?? "" });
    return { status: 201, body: checkRunJson(s.urls, s.identity, run, pullsAt(s, run.sha)) };
  });

  routes.add("PATCH", `${R}/check-runs/{check_run_id}`, "checks/update", async ({ params, body }) => {
    checkRepo(s, params);
    const run = await updateCheckRun(s, Number(params.check_run_id), checkRunInput(body));
    return { status: 200, body: checkRunJson(s.urls, s.identity, run, pullsAt(s, run.sha)) };
  });

  routes.add("GET", `${R}/commits/{ref}/check-runs`, "checks/list-for-ref", async ({ params, query }) => {
    checkRepo(s, params);
    const sha = await commitSha(s, params.ref ?? "");
    const name = query.get("check_name");
    const status = query.get("status");
    // filter=latest (the default) is the newest run per name; all is every run.
    const runs = (query.get("filter") === "all" ? s.gates.checkRuns.filter((r) => r.sha === sha) : s.gates.latestCheckRuns(sha))
      .filter((r) => !name || r.name === name)
      .filter((r) => !status || r.status === status);
    return {
      status: 200,
      body: {
        total_count: runs.length,
        check_runs: page(runs, query).map((r) => checkRunJson(s.urls, s.identity, r, pullsAt(s, sha))),
      },
    };
  });

  routes.add("GET", `${R}/commits/{ref}/check-suites`, "checks/list-suites-for-ref", async ({ params, query }) => {
    checkRepo(s, params);
    const sha = await commitSha(s, params.ref ?? "");
    const commit = await s.store.readCommit(sha);
    const suites = s.gates.checkSuites.filter((x) => x.sha === sha);
    const repository = repoJson(s);
    const headCommit = commit ? headCommitJson(commit) : {};
    return {
      status: 200,
      body: {
        total_count: suites.length,
        check_suites: page(suites, query).map((suite) => {
          const runs = s.gates.runsOfSuite(suite.id);
          return checkSuiteJson(
            s.urls,
            s.identity,
            repository,
            suite,
            suiteResult(runs),
            runs.length,
            headCommit,
            pullsAt(s, sha),
          );
        }),
      },
    };
  });

  routes.add("GET", `${R}/branches/{branch}/protection`, "repos/get-branch-protection", async ({ params }) => {
    checkRepo(s, params);
    const branch = params.branch ?? "";
    if (!(await s.store.resolveRef(`refs/heads/${branch}`))) throw new HttpError(404, "Branch not found");
    const rule = s.gates.protection.get(branch);
    if (!rule) throw new HttpError(404, "Branch not protected");
    return { status: 200, body: protectionJson(s.urls, s.identity, branch, rule) };
  });
}
