/**
 * The one place a promotion row changes state. Every transition locks the row, re-reads it,
 * applies only if the status is still one it may leave, and appends its audit event in the
 * same transaction — so a webhook, the reconciler and the request path racing on one row
 * produce one transition and one event, never two.
 */
import type { Db } from "../db/client";
import type { Prisma, Promotion, PromotionStatus } from "../generated/prisma/client";
import type { PullRequestSummary } from "../github/pull-requests";
import { type AuditEventType, appendEvent, lockAuditChain } from "./audit-chain";

export interface Transition {
  id: string;
  from: PromotionStatus;
  to: PromotionStatus;
}

export type TransitionSource = "request" | "webhook" | "reconcile" | "auto-merge";

export async function lockRow(tx: Prisma.TransactionClient, id: string): Promise<Promotion | null> {
  // The audit chain's lock before the row's: the one order every writer takes them in (audit-chain.ts).
  await lockAuditChain(tx);
  await tx.$queryRaw`SELECT id FROM promotion WHERE id = ${id}::uuid FOR UPDATE`;
  return await tx.promotion.findUnique({ where: { id } });
}

export interface TransitionSpec {
  from: readonly PromotionStatus[];
  /** Further condition on the locked row. */
  when?: (row: Promotion) => boolean;
  data: (row: Promotion) => Prisma.PromotionUpdateInput;
  events: (row: Promotion) => { type: AuditEventType; detail: Record<string, unknown> }[];
  actor: string;
  at: Date;
}

/** Applies a transition if the row is still in one of `spec.from`; returns the row after, and whether it changed. */
export async function transition(
  tx: Prisma.TransactionClient,
  id: string,
  spec: TransitionSpec,
): Promise<{ row: Promotion | null; previous: PromotionStatus | undefined; changed: boolean }> {
  const row = await lockRow(tx, id);
  if (!row || !spec.from.includes(row.status) || (spec.when && !spec.when(row)))
    return { row, previous: row?.status, changed: false };
  const updated = await tx.promotion.update({ where: { id }, data: spec.data(row) });
  for (const event of spec.events(row)) {
    await appendEvent(tx, {
      promotionId: id,
      repository: row.repository,
      type: event.type,
      actor: spec.actor,
      at: spec.at,
      detail: { from: row.status, to: updated.status, ...event.detail },
    });
  }
  return { row: updated, previous: row.status, changed: true };
}

function prDetail(pr: Pick<PullRequestSummary, "number" | "url" | "branch" | "headSha">): Record<string, unknown> {
  return { prNumber: pr.number, prUrl: pr.url, branch: pr.branch, headCommit: pr.headSha };
}

export interface PullRequestFacts {
  number: number;
  url: string;
  branch: string;
  headSha: string;
  state: "open" | "merged" | "closed";
  mergeCommitSha?: string | null;
}

/**
 * Brings a PENDING or OPEN row in line with its pull request: open → OPEN, merged → MERGED,
 * closed → CLOSED. A PENDING row whose PR is already merged or closed gets its `opened` event
 * too, so the trail stays complete. Rows already MERGED/CLOSED/FAILED are left alone.
 */
export async function applyPullRequestState(
  db: Db | Prisma.TransactionClient,
  id: string,
  pr: PullRequestFacts,
  options: { source: TransitionSource; actor?: string; at?: Date; detail?: Record<string, unknown> },
): Promise<Transition | undefined> {
  const at = options.at ?? new Date();
  const actor = options.actor ?? "ladder";
  const run = async (tx: Prisma.TransactionClient) => {
    const spec: TransitionSpec = {
      from: pr.state === "open" ? ["PENDING"] : ["PENDING", "OPEN"],
      actor,
      at,
      data: (row) => {
        const prFields = {
          prNumber: pr.number,
          prUrl: pr.url,
          branch: pr.branch,
          headCommit: pr.headSha,
          openedAt: row.openedAt ?? at,
        };
        if (pr.state === "open") return { ...prFields, status: "OPEN" };
        return { ...prFields, status: pr.state === "merged" ? "MERGED" : "CLOSED", openSlot: null, closedAt: at };
      },
      events: (row) => {
        const events: { type: AuditEventType; detail: Record<string, unknown> }[] = [];
        const base = { source: options.source, ...options.detail };
        if (row.status === "PENDING") events.push({ type: "promotion.opened", detail: { ...prDetail(pr), ...base } });
        if (pr.state === "merged")
          events.push({
            type: "promotion.merged",
            detail: { prNumber: pr.number, mergeCommit: pr.mergeCommitSha ?? null, ...base },
          });
        if (pr.state === "closed")
          events.push({ type: "promotion.closed", detail: { prNumber: pr.number, reason: "pull request closed", ...base } });
        return events;
      },
    };
    const { row, previous, changed } = await transition(tx, id, spec);
    return changed && row && previous ? { id, from: previous, to: row.status } : undefined;
  };
  return "$transaction" in db ? await db.$transaction(run) : await run(db);
}
