/**
 * What gates a merge, as GitHub keeps it: pull request reviews, commit statuses, check runs
 * grouped in check suites, and branch protection. Saved beside the git repository in
 * `ladder-test-gates.json`, like the pull requests. `mergeability` derives a pull request's
 * `mergeable` / `mergeable_state` from them, and the reasons `PUT …/merge` refuses, the way
 * GitHub does: conflicts (dirty), protection unmet (blocked), out of date under strict status
 * checks (behind), a check outside the required ones not passing (unstable), else clean.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StandIn } from "./context";
import type { PullRecord } from "./github-objects";

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewRecord {
  id: number;
  pullNumber: number;
  user: string;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: string | null;
}

export type StatusState = "error" | "failure" | "pending" | "success";

export interface StatusRecord {
  id: number;
  sha: string;
  context: string;
  state: StatusState;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion =
  | "action_required"
  | "cancelled"
  | "failure"
  | "neutral"
  | "success"
  | "skipped"
  | "stale"
  | "timed_out";

export interface CheckRunRecord {
  id: number;
  suiteId: number;
  sha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  externalId: string | null;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export interface CheckSuiteRecord {
  id: number;
  sha: string;
  headBranch: string | null;
  createdAt: string;
  updatedAt: string;
  /** A check_suite `completed` webhook went out for the runs as they are now. */
  announced: boolean;
}

/** Branch protection as far as merging goes. `null` means the rule is off. */
export interface BranchProtection {
  /** required_pull_request_reviews.required_approving_review_count */
  requiredApprovingReviews: number | null;
  /** required_status_checks.contexts (status contexts and check run names alike) */
  requiredChecks: string[] | null;
  /** required_status_checks.strict: the head must contain the base branch's head. */
  strict: boolean;
}

export type MergeableState = "clean" | "blocked" | "behind" | "dirty" | "unstable" | "draft" | "unknown";

export interface Mergeability {
  mergeable: boolean | null;
  state: MergeableState;
  /** Why `PUT …/merge` refuses (GitHub's 405 messages); empty when it would merge. */
  refusals: string[];
}

interface Saved {
  reviews: ReviewRecord[];
  statuses: StatusRecord[];
  checkRuns: CheckRunRecord[];
  checkSuites: CheckSuiteRecord[];
  protection: [string, BranchProtection][];
  nextId: number;
}

export class MergeGateState {
  readonly reviews: ReviewRecord[] = [];
  readonly statuses: StatusRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly checkSuites: CheckSuiteRecord[] = [];
  readonly protection = new Map<string, BranchProtection>();
  private nextId = 5000;
  private readonly path: string;

  constructor(repoDir: string) {
    this.path = join(repoDir, "ladder-test-gates.json");
    if (!existsSync(this.path)) return;
    const saved = JSON.parse(readFileSync(this.path, "utf8")) as Saved;
    this.reviews.push(...saved.reviews);
    this.statuses.push(...saved.statuses);
    this.checkRuns.push(...saved.checkRuns);
    this.checkSuites.push(...saved.checkSuites);
    for (const [branch, rule] of saved.protection) this.protection.set(branch, rule);
    this.nextId = saved.nextId;
  }

  id(): number {
    return this.nextId++;
  }

  persist(): void {
    const saved: Saved = {
      reviews: this.reviews,
      statuses: this.statuses,
      checkRuns: this.checkRuns,
      checkSuites: this.checkSuites,
      protection: [...this.protection.entries()],
      nextId: this.nextId,
    };
    writeFileSync(this.path, JSON.stringify(saved, null, 1));
  }

  /** Each reviewer's latest review that counts (comments and pending reviews do not), by login. */
  latestReviews(pullNumber: number): Map<string, ReviewRecord> {
    const latest = new Map<string, ReviewRecord>();
    for (const r of this.reviews) {
      if (r.pullNumber !== pullNumber || r.state === "COMMENTED" || r.state === "PENDING") continue;
      const previous = latest.get(r.user.toLowerCase());
      if (!previous || previous.id < r.id) latest.set(r.user.toLowerCase(), r);
    }
    return latest;
  }

  /** The newest status per context on a commit, as the combined status reports them. */
  latestStatuses(sha: string): StatusRecord[] {
    const byContext = new Map<string, StatusRecord>();
    for (const st of this.statuses) {
      if (st.sha !== sha) continue;
      const previous = byContext.get(st.context);
      if (!previous || previous.id < st.id) byContext.set(st.context, st);
    }
    return [...byContext.values()].sort((a, b) => b.id - a.id);
  }

  /** The newest check run per name on a commit. */
  latestCheckRuns(sha: string): CheckRunRecord[] {
    const byName = new Map<string, CheckRunRecord>();
    for (const run of this.checkRuns) {
      if (run.sha !== sha) continue;
      const previous = byName.get(run.name);
      if (!previous || previous.id < run.id) byName.set(run.name, run);
    }
    return [...byName.values()].sort((a, b) => b.id - a.id);
  }

  runsOfSuite(suiteId: number): CheckRunRecord[] {
    return this.checkRuns.filter((r) => r.suiteId === suiteId);
  }
}

type GateOutcome = "success" | "failure" | "pending";

function runOutcome(run: CheckRunRecord): GateOutcome {
  if (run.status !== "completed") return "pending";
  return run.conclusion === "success" || run.conclusion === "neutral" || run.conclusion === "skipped" ? "success" : "failure";
}

function statusOutcome(st: StatusRecord): GateOutcome {
  return st.state === "success" ? "success" : st.state === "pending" ? "pending" : "failure";
}

/** A check suite's status and conclusion, derived from its runs as GitHub does. */
export function suiteResult(runs: readonly CheckRunRecord[]): { status: CheckStatus; conclusion: CheckConclusion | null } {
  if (runs.length === 0) return { status: "queued", conclusion: null };
  if (runs.some((r) => r.status !== "completed"))
    return { status: runs.some((r) => r.status === "in_progress") ? "in_progress" : "queued", conclusion: null };
  const order: CheckConclusion[] = ["action_required", "cancelled", "timed_out", "failure", "stale", "neutral", "skipped"];
  const worst = order.find((c) => runs.some((r) => r.conclusion === c));
  return { status: "completed", conclusion: worst === "neutral" || worst === "skipped" ? "success" : (worst ?? "success") };
}

/** Every check on a commit by name (a check run wins over a status of the same name). */
function checkOutcomes(gates: MergeGateState, sha: string): Map<string, GateOutcome> {
  const out = new Map<string, GateOutcome>();
  for (const st of gates.latestStatuses(sha)) out.set(st.context, statusOutcome(st));
  for (const run of gates.latestCheckRuns(sha)) out.set(run.name, runOutcome(run));
  return out;
}

/** `mergeable` and `mergeable_state` of an open pull request, and what a merge would be refused for. */
export async function mergeability(s: StandIn, pr: PullRecord): Promise<Mergeability> {
  if (pr.state !== "open") return { mergeable: null, state: "unknown", refusals: ["Pull Request is not mergeable"] };
  const merged = await s.store.mergeTrees(pr.baseSha, pr.headSha);
  if (!merged.tree)
    return {
      mergeable: false,
      state: "dirty",
      refusals: [`Pull Request is not mergeable: conflict in ${merged.conflicts.join(", ")}`],
    };
  if (pr.draft) return { mergeable: true, state: "draft", refusals: ["Pull Request is still a draft"] };
  const rule = s.gates.protection.get(pr.base);
  const checks = checkOutcomes(s.gates, pr.headSha);
  const refusals: string[] = [];
  if (rule?.requiredApprovingReviews != null && rule.requiredApprovingReviews > 0) {
    const latest = [...s.gates.latestReviews(pr.number).values()];
    const approvals = latest.filter((r) => r.state === "APPROVED").length;
    const changesRequested = latest.some((r) => r.state === "CHANGES_REQUESTED");
    const n = rule.requiredApprovingReviews;
    if (changesRequested || approvals < n)
      refusals.push(`At least ${n} approving review${n === 1 ? " is" : "s are"} required by reviewers with write access.`);
  }
  for (const name of rule?.requiredChecks ?? []) {
    const outcome = checks.get(name);
    if (outcome === "failure") refusals.push(`Required status check "${name}" is failing.`);
    else if (outcome !== "success") refusals.push(`Required status check "${name}" is expected.`);
  }
  if (refusals.length > 0) return { mergeable: true, state: "blocked", refusals };
  if (rule?.strict && !(await s.store.isAncestor(pr.baseSha, pr.headSha)))
    return { mergeable: true, state: "behind", refusals: ["Head branch is not up to date with the base branch."] };
  const required = new Set(rule?.requiredChecks ?? []);
  const others = [...checks].filter(([name]) => !required.has(name));
  if (others.some(([, outcome]) => outcome !== "success")) return { mergeable: true, state: "unstable", refusals: [] };
  return { mergeable: true, state: "clean", refusals: [] };
}
