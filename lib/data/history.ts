import "server-only";
import { z } from "zod";
import { db } from "../db/client";
import { deliveriesOfPromotion } from "../notify/deliveries";
import { exportPromotions, getPromotionWithEvents, listPromotions, type PromotionFilters } from "../promotion/history";
import { type PromotionStats, promotionStats } from "../promotion/promotion-stats";
import { getRepository } from "./repository-view";

const STATUSES = ["PENDING", "OPEN", "MERGED", "CLOSED", "FAILED"] as const;

/** The history filters as they appear in the URL; unknown or malformed values are dropped, not trusted. */
export const historyQuerySchema = z.object({
  app: z.string().trim().max(100).optional().catch(undefined),
  env: z.string().trim().max(100).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  person: z.string().trim().max(100).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
  bundle: z.uuid().optional().catch(undefined),
});

export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export function parseHistoryQuery(params: Record<string, string | string[] | undefined>): HistoryQuery {
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  return historyQuerySchema.parse(flat);
}

export function toFilters(query: HistoryQuery): PromotionFilters {
  const filters: PromotionFilters = { repository: getRepository().repository };
  if (query.app) filters.app = query.app;
  if (query.env) filters.env = query.env;
  if (query.status) filters.status = query.status;
  if (query.person) filters.person = query.person;
  if (query.bundle) filters.bundle = query.bundle;
  if (query.from) filters.from = new Date(`${query.from}T00:00:00Z`);
  // "to" is inclusive of that whole day.
  if (query.to) filters.to = new Date(new Date(`${query.to}T00:00:00Z`).getTime() + 86_400_000);
  return filters;
}

export function getHistoryPage(query: HistoryQuery, limit = 50) {
  return listPromotions(db(), toFilters(query), query.cursor ?? null, limit);
}

/** One promotion, its event trail and the notifications sent of it (the history drawer). */
export async function getPromotionDetail(id: string) {
  const detail = await getPromotionWithEvents(db(), id);
  if (!detail) return null;
  return { ...detail, deliveries: await deliveriesOfPromotion(db(), id) };
}

export function exportHistory(query: HistoryQuery, format: "csv" | "json") {
  return exportPromotions(db(), toFilters(query), format);
}

export async function getHistoryStats(query: HistoryQuery): Promise<PromotionStats> {
  const view = await getRepository().current();
  const { cursor: _cursor, ...rest } = query;
  return promotionStats(db(), toFilters(rest), { environments: view.scan.environments });
}
