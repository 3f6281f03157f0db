/**
 * Keeps an OPEN promotion's review and check status current: read it from GitHub
 * (lib/github/pull-request-status.ts), store it on the row, and where the environment has
 * `autoMerge` and GitHub calls the pull request clean, merge (auto-merge.ts). Called for the
 * promotions a `pull_request_review`, `status` or `check_suite` webhook names, and by the
 * reconciler for every OPEN promotion, so a missed webhook is caught up on.
 */
import type { Prisma, Promotion } from "../generated/prisma/client";
import type { RepoRef } from "../github/github-reader";
import {
  getPullRequestGate,
  type ProtectionCache,
  type PullGate,
  type PullRequestStatus,
  readPullRequestStatus,
} from "../github/pull-request-status";
import type { EnvironmentPolicy } from "../gitops/ladder-config";
import { ladderYamlRefusal } from "../gitops/ladder-yaml-status";
import { type AutoMergeResult, autoMergeIfReady } from "./auto-merge";
import { nowOf, type PromotionContext } from "./context";
import { messageOf } from "./errors";
import { policyFor } from "./policy";
import { applyPullRequestState, type Transition } from "./promotion-state";

type PolicyLookup = (app: string, env: string) => { policy: EnvironmentPolicy | undefined; ladderYamlRefusal?: string };

/** What one run shares: branch protections read once, the branch head's policies read once. */
export interface RefreshRun {
  protection: ProtectionCache;
  policies?: Promise<PolicyLookup>;
}

export function newRefreshRun(): RefreshRun {
  return { protection: new Map() };
}

export interface RefreshResult {
  /** GitHub requests made. */
  requests: number;
  status?: PullRequestStatus;
  /** The pull request was no longer open: the row followed it. */
  transition?: Transition;
  autoMerge?: AutoMergeResult;
}

async function loadPolicies(ctx: PromotionContext): Promise<PolicyLookup> {
  const { scan } = await ctx.repo.current();
  const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
  return (app, env) => ({ policy: policyFor(scan, app, env).policy, ...(refusal ? { ladderYamlRefusal: refusal } : {}) });
}

const asJson = (value: object): Prisma.InputJsonObject => JSON.parse(JSON.stringify(value)) as Prisma.InputJsonObject;

/**
 * Reads `row`'s pull request status (with `gate` when the caller just fetched the pull request),
 * stores it, and auto-merges when the environment asks for it and everything says yes.
 */
export async function refreshReviewStatus(
  ctx: PromotionContext,
  row: Promotion,
  run: RefreshRun,
  gate?: PullGate,
): Promise<RefreshResult> {
  if (row.status !== "OPEN" || row.prNumber === null) return { requests: 0 };
  const repo: RepoRef = { owner: ctx.repo.owner, repo: ctx.repo.name };
  let requests = 0;
  let pull = gate;
  if (!pull) {
    requests++;
    const fetched = await getPullRequestGate(ctx.github, repo, row.prNumber);
    if (fetched.summary.state !== "open") {
      const transition = await applyPullRequestState(ctx.db, row.id, fetched.summary, { source: "reconcile", at: nowOf(ctx) });
      return { requests, ...(transition ? { transition } : {}) };
    }
    pull = fetched.gate;
  }
  const read = await readPullRequestStatus(ctx.github, repo, pull, { protection: run.protection, now: nowOf(ctx) });
  requests += read.requests;
  const { status } = read;
  // Only while still OPEN: a merge or close recorded meanwhile is not overwritten with stale news.
  await ctx.db.promotion.updateMany({ where: { id: row.id, status: "OPEN" }, data: { reviewStatus: asJson(status) } });
  if (status.mergeableState !== "clean") return { requests, status };
  run.policies ??= loadPolicies(ctx);
  const lookup = await run.policies;
  const autoMerge = await autoMergeIfReady(ctx, row, status, lookup(row.app, row.toEnv));
  if (autoMerge.outcome !== "skipped") requests++;
  return { requests, status, autoMerge };
}

/** The promotions a webhook named: each refreshed (and maybe auto-merged); failures are logged, the reconciler retries. */
export async function refreshPromotions(
  ctx: PromotionContext,
  ids: readonly string[],
): Promise<{ id: string; result?: RefreshResult; error?: string }[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db.promotion.findMany({
    where: { id: { in: [...ids] }, status: "OPEN" },
    orderBy: { createdAt: "asc" },
  });
  const run = newRefreshRun();
  const out: { id: string; result?: RefreshResult; error?: string }[] = [];
  for (const row of rows) {
    try {
      out.push({ id: row.id, result: await refreshReviewStatus(ctx, row, run) });
    } catch (error) {
      console.error(`[promotion] refreshing the review status of promotion ${row.id} failed`, error);
      out.push({ id: row.id, error: messageOf(error) });
    }
  }
  return out;
}
