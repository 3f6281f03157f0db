/**
 * ladder.yaml `autoMerge: true`: Ladder merges a promotion's pull request itself once GitHub
 * says it is mergeable — `mergeable_state` clean, so the branch protection's required reviews
 * and checks are met and nothing else is failing — and the environment's soak has passed.
 * It merges with the head it checked (a push since then makes GitHub refuse), never with an
 * admin override, and only Ladder's own commit: a head someone else pushed is left to a person.
 * `decideAutoMerge` is pure; `autoMergeIfReady` asks GitHub and records what happened: an
 * `promotion.auto-merged` event (who: Ladder's GitHub identity; what: head, approvals, checks)
 * and the MERGED state, or a refusal kept on the row and asked again only once what Ladder sees
 * changes, so a refused merge is never retried in a loop. A bundle's pull request carries every
 * app of the bundle: it is merged only when each of them may be (each one's soak, each one open).
 */
import type { Promotion } from "../generated/prisma/client";
import { mergePullRequest } from "../github/merge-pull-request";
import type { PullRequestStatus } from "../github/pull-request-status";
import type { EnvironmentPolicy } from "../gitops/ladder-config";
import { repoRef } from "./attempts";
import { appendEvent } from "./audit-chain";
import { nowOf, type PromotionContext } from "./context";
import { formatDuration } from "./policy";
import { applyPullRequestState, lockRow } from "./promotion-state";
import { type AutoMergeRefusal, parseAutoMergeRefusal, statusFingerprint } from "./review-status";

export type AutoMergeDecision = { merge: true } | { merge: false; reason: string };

/** Pull requests this process is merging right now: two webhooks at once ask GitHub once. */
const merging = new Set<string>();

export interface AutoMergeInput {
  row: Pick<Promotion, "status" | "toEnv" | "rollback" | "sourceSince" | "prNumber" | "headCommit">;
  status: PullRequestStatus;
  /** The target environment's policy from the branch head's ladder.yaml; undefined without one. */
  policy: EnvironmentPolicy | undefined;
  /** Set while ladder.yaml is invalid: nothing is merged (fails closed, like every other action). */
  ladderYamlRefusal?: string;
  refusal: AutoMergeRefusal | null;
  now: Date;
}

/** Whether to merge now, and if not, why. Pure. */
export function decideAutoMerge(input: AutoMergeInput): AutoMergeDecision {
  const { row, status, policy } = input;
  const no = (reason: string): AutoMergeDecision => ({ merge: false, reason });
  if (row.status !== "OPEN" || row.prNumber === null) return no("the promotion is not open");
  if (input.ladderYamlRefusal) return no(input.ladderYamlRefusal);
  if (!policy?.autoMerge) return no(`auto-merge is off for ${row.toEnv}`);
  if (row.headCommit && status.headSha !== row.headCommit)
    return no(
      `the pull request's head moved from Ladder's commit ${row.headCommit.slice(0, 12)} to ${status.headSha.slice(0, 12)}: a person merges it`,
    );
  if (status.mergeable !== true || status.mergeableState !== "clean")
    return no(`GitHub does not call it mergeable yet (${status.mergeableState})`);
  if (status.reviews.decision === "changes-requested")
    return no(`changes requested by ${status.reviews.changesRequestedBy.join(", ")}`);
  if (status.checks.state === "pending" || status.checks.state === "failure") return no(`checks ${status.checks.state}`);
  if (!row.rollback && policy.soakMs) {
    if (!row.sourceSince)
      return no(`cannot tell since when the digest runs in ${policy.from ?? "the source"}; soak is ${policy.soak}`);
    const ready = row.sourceSince.getTime() + policy.soakMs;
    if (input.now.getTime() < ready)
      return no(
        `soak of ${policy.soak} not over: ready at ${new Date(ready).toISOString()} (in ${formatDuration(ready - input.now.getTime())})`,
      );
  }
  if (input.refusal && input.refusal.fingerprint === statusFingerprint(status))
    return no(`GitHub refused this merge at ${input.refusal.at} (${input.refusal.message}); waiting for a change`);
  return { merge: true };
}

export type AutoMergeResult =
  | { outcome: "skipped"; reason: string }
  | { outcome: "merged"; mergeCommit: string }
  | { outcome: "refused"; status: number; message: string };

/** Who merged, for the audit trail: the GitHub identity Ladder acts as (an App installation or a token), never a secret. */
export function ladderIdentity(ctx: PromotionContext): string {
  return ctx.github.key.slice(ctx.github.key.indexOf("|") + 1);
}

/**
 * Decides for `row` with `status` (read just now) and merges when ready. `policy` and the
 * ladder.yaml refusal come from the caller, who reads the branch head's scan once per run.
 */
export async function autoMergeIfReady(
  ctx: PromotionContext,
  row: Promotion,
  status: PullRequestStatus,
  policy: { policy: EnvironmentPolicy | undefined; ladderYamlRefusal?: string },
): Promise<AutoMergeResult> {
  const now = nowOf(ctx);
  const decide = (r: Promotion, refusal: AutoMergeRefusal | null) =>
    decideAutoMerge({
      row: r,
      status,
      policy: policy.policy,
      ...(policy.ladderYamlRefusal ? { ladderYamlRefusal: policy.ladderYamlRefusal } : {}),
      refusal,
      now,
    });
  const decision = decide(row, parseAutoMergeRefusal(row.autoMergeRefusal));
  if (!decision.merge || row.prNumber === null) return { outcome: "skipped", reason: decision.merge ? "no PR" : decision.reason };
  const siblings = row.bundleId
    ? await ctx.db.promotion.findMany({ where: { bundleId: row.bundleId, id: { not: row.id } }, orderBy: { createdAt: "asc" } })
    : [];
  for (const sibling of siblings) {
    const d = decide(sibling, null);
    if (!d.merge) return { outcome: "skipped", reason: `${sibling.app}, in the same pull request: ${d.reason}` };
  }
  const prNumber = row.prNumber;
  const seen = {
    prNumber,
    headSha: status.headSha,
    mergeableState: status.mergeableState,
    approvedBy: status.reviews.approvedBy,
    requiredApprovals: status.reviews.required,
    checks: status.checks.list.map((c) => ({ name: c.name, state: c.state, required: c.required })),
    identity: ladderIdentity(ctx),
    ...(siblings.length > 0 ? { bundle: siblings.map((s) => s.id) } : {}),
  };
  const key = `${ctx.github.baseUrl}|${row.repository}#${prNumber}`;
  if (merging.has(key)) return { outcome: "skipped", reason: "a merge of this pull request is already under way" };
  merging.add(key);
  try {
    // A merge that finished between this status read and now leaves nothing to do.
    const current = await ctx.db.promotion.findUnique({ where: { id: row.id }, select: { status: true } });
    if (current?.status !== "OPEN") return { outcome: "skipped", reason: `the promotion is ${current?.status ?? "gone"}` };
    return await mergeAndRecord(ctx, row, status, prNumber, seen, now);
  } finally {
    merging.delete(key);
  }
}

async function mergeAndRecord(
  ctx: PromotionContext,
  row: Promotion,
  status: PullRequestStatus,
  prNumber: number,
  seen: Record<string, unknown>,
  now: Date,
): Promise<AutoMergeResult> {
  const outcome = await mergePullRequest(ctx.github, repoRef(ctx), prNumber, {
    sha: status.headSha,
    commitTitle: `Merge pull request #${prNumber}: promote ${row.app} to ${row.toEnv} (auto-merge by Ladder)`,
  });
  if (!outcome.merged) {
    const refusal: AutoMergeRefusal = {
      at: now.toISOString(),
      headSha: status.headSha,
      fingerprint: statusFingerprint(status),
      status: outcome.status,
      message: outcome.message,
    };
    await ctx.db.$transaction(async (tx) => {
      // Another replica's merge of the same pull request may have landed meanwhile: nothing to record then.
      if ((await lockRow(tx, row.id))?.status !== "OPEN") return;
      await tx.promotion.update({ where: { id: row.id }, data: { autoMergeRefusal: { ...refusal } } });
      await appendEvent(tx, {
        promotionId: row.id,
        repository: row.repository,
        type: "promotion.auto-merge-refused",
        actor: "ladder",
        at: now,
        detail: { ...seen, status: outcome.status, message: outcome.message },
      });
    });
    return { outcome: "refused", status: outcome.status, message: outcome.message };
  }
  // The merge happened on GitHub: record it now rather than wait for the pull_request webhook
  // (which then finds the row MERGED and changes nothing).
  await ctx.db.$transaction(async (tx) => {
    // The row first, then the chain, as every transition takes them: the pull_request webhook
    // recording the same merge concurrently must not deadlock with this.
    await lockRow(tx, row.id);
    await appendEvent(tx, {
      promotionId: row.id,
      repository: row.repository,
      type: "promotion.auto-merged",
      actor: "ladder",
      at: now,
      detail: { ...seen, mergeCommit: outcome.sha },
    });
    await applyPullRequestState(
      tx,
      row.id,
      {
        number: prNumber,
        url: row.prUrl ?? "",
        branch: row.branch ?? "",
        headSha: status.headSha,
        state: "merged",
        mergeCommitSha: outcome.sha,
      },
      { source: "auto-merge", actor: "ladder", at: now, detail: { autoMerge: true } },
    );
  });
  return { outcome: "merged", mergeCommit: outcome.sha };
}
