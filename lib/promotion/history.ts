/**
 * Promotion history for the /history page and its exports: filtered, cursor-paginated in a
 * stable order (newest first, id as the tie-break), one promotion with its full event trail,
 * and CSV/JSON exports of the filtered set.
 */
import type { Db } from "../db/client";
import type { Prisma, PromotionStatus } from "../generated/prisma/client";
import { type AuditEvent, toAuditEvent } from "./audit-chain";
import { type CsvValue, toCsv } from "./csv";
import { type PromotionRecord, toPromotionRecord } from "./promotion-record";

export interface PromotionFilters {
  /** "owner/name"; default: every repository. */
  repository?: string;
  app?: string;
  /** Target environment. */
  env?: string;
  status?: PromotionStatus | readonly PromotionStatus[];
  /** Who requested it (case-insensitive login). */
  person?: string;
  /** createdAt ≥ from. */
  from?: Date;
  /** createdAt < to. */
  to?: Date;
  rollback?: boolean;
  /** The promotions one pull request opened together. */
  bundle?: string;
}

export interface PromotionPage {
  items: PromotionRecord[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 200;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function promotionWhere(filters: PromotionFilters): Prisma.PromotionWhereInput {
  const statuses =
    filters.status === undefined ? undefined : typeof filters.status === "string" ? [filters.status] : [...filters.status];
  const createdAt: Prisma.DateTimeFilter = {
    ...(filters.from ? { gte: filters.from } : {}),
    ...(filters.to ? { lt: filters.to } : {}),
  };
  return {
    ...(filters.repository ? { repository: filters.repository } : {}),
    ...(filters.app ? { app: filters.app } : {}),
    ...(filters.env ? { toEnv: filters.env } : {}),
    ...(statuses && statuses.length > 0 ? { status: { in: statuses } } : {}),
    ...(filters.person ? { requestedBy: { equals: filters.person, mode: "insensitive" as const } } : {}),
    ...(filters.from || filters.to ? { createdAt } : {}),
    ...(filters.rollback !== undefined ? { rollback: filters.rollback } : {}),
    ...(filters.bundle ? { bundleId: filters.bundle } : {}),
  };
}

export function encodeCursor(row: { createdAt: Date | string; id: string }): string {
  const at = typeof row.createdAt === "string" ? row.createdAt : row.createdAt.toISOString();
  return Buffer.from(`${at}|${row.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const [at = "", id = ""] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || !UUID_RE.test(id)) return undefined;
  return { createdAt, id };
}

/** One page of promotions, newest first. An unreadable cursor starts from the beginning. */
export async function listPromotions(
  db: Db,
  filters: PromotionFilters = {},
  cursor?: string | null,
  limit = 50,
): Promise<PromotionPage> {
  const take = Math.min(Math.max(Math.floor(limit), 1), MAX_PAGE_SIZE);
  const after = cursor ? decodeCursor(cursor) : undefined;
  const where: Prisma.PromotionWhereInput = after
    ? {
        AND: [
          promotionWhere(filters),
          { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] },
        ],
      }
    : promotionWhere(filters);
  const rows = await db.promotion.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: take + 1 });
  const page = rows.slice(0, take);
  const last = page.at(-1);
  return {
    items: page.map(toPromotionRecord),
    nextCursor: rows.length > take && last ? encodeCursor(last) : null,
  };
}

export interface PromotionWithEvents {
  promotion: PromotionRecord;
  /** Oldest first. */
  events: AuditEvent[];
}

export async function getPromotionWithEvents(db: Db, id: string): Promise<PromotionWithEvents | null> {
  if (!UUID_RE.test(id)) return null;
  const row = await db.promotion.findUnique({ where: { id }, include: { events: { orderBy: { id: "asc" } } } });
  if (!row) return null;
  const { events, ...promotion } = row;
  return { promotion: toPromotionRecord(promotion), events: events.map(toAuditEvent) };
}

export const EXPORT_COLUMNS: readonly { header: string; value: (p: PromotionRecord) => CsvValue }[] = [
  { header: "id", value: (p) => p.id },
  { header: "created_at", value: (p) => p.createdAt },
  { header: "repository", value: (p) => p.repository },
  { header: "app", value: (p) => p.app },
  { header: "image", value: (p) => p.image },
  { header: "from_env", value: (p) => p.fromEnv },
  { header: "to_env", value: (p) => p.toEnv },
  { header: "digest", value: (p) => p.digest },
  { header: "previous_digest", value: (p) => p.previousDigest },
  { header: "status", value: (p) => p.status },
  { header: "attempt", value: (p) => p.attempt },
  { header: "rollback", value: (p) => p.rollback },
  { header: "requested_by", value: (p) => p.requestedBy },
  { header: "pr_number", value: (p) => p.prNumber },
  { header: "pr_url", value: (p) => p.prUrl },
  { header: "branch", value: (p) => p.branch },
  { header: "head_commit", value: (p) => p.headCommit },
  { header: "base_commit", value: (p) => p.baseCommit },
  { header: "target_path", value: (p) => p.targetPath },
  { header: "source_since", value: (p) => p.sourceSince },
  { header: "opened_at", value: (p) => p.openedAt },
  { header: "closed_at", value: (p) => p.closedAt },
  { header: "error", value: (p) => p.error },
];

export interface PromotionExport {
  filename: string;
  contentType: string;
  body: string;
  rows: number;
  /** More rows matched than `maxRows`; the export holds the newest `maxRows`. */
  truncated: boolean;
}

/** The filtered set as CSV or JSON, newest first (read in pages, at most `maxRows`). */
export async function exportPromotions(
  db: Db,
  filters: PromotionFilters,
  format: "csv" | "json",
  options: { maxRows?: number; now?: Date } = {},
): Promise<PromotionExport> {
  const maxRows = options.maxRows ?? 50_000;
  const rows: PromotionRecord[] = [];
  let cursor: string | null = null;
  let truncated = false;
  do {
    const page: PromotionPage = await listPromotions(db, filters, cursor, MAX_PAGE_SIZE);
    rows.push(...page.items);
    cursor = page.nextCursor;
    if (rows.length >= maxRows) {
      truncated = rows.length > maxRows || cursor !== null;
      rows.length = Math.min(rows.length, maxRows);
      break;
    }
  } while (cursor);
  const stamp = (options.now ?? new Date()).toISOString().slice(0, 10).replaceAll("-", "");
  if (format === "json") {
    return {
      filename: `ladder-promotions-${stamp}.json`,
      contentType: "application/json; charset=utf-8",
      body: `${JSON.stringify(rows, null, 2)}\n`,
      rows: rows.length,
      truncated,
    };
  }
  return {
    filename: `ladder-promotions-${stamp}.csv`,
    contentType: "text/csv; charset=utf-8",
    body: toCsv(EXPORT_COLUMNS, rows),
    rows: rows.length,
    truncated,
  };
}
