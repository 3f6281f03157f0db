/**
 * The figures /history charts, read from Postgres: promotion frequency, lead time, change failure
 * rate and time to restore. The arithmetic is delivery-figures.ts's (one pure function each);
 * this file chooses the rows. docs/history.md defines every figure.
 *
 * Lead time needs every row of the references merged into the last environment, whatever the
 * date filter (first sightings may predate it); the failure figures need every merged row of the
 * filtered apps and environments from the start of the range on, whoever requested it and
 * however it ended, because a rollback after the range still fails a promotion inside it.
 */
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import {
  type ChangeFailureRate,
  changeFailureRate,
  type DeliveryRow,
  type LeadTimeSample,
  leadTime,
  median,
  promotionFrequency,
  promotionReference,
  type TimeToRestore,
  timeToRestore,
  type WeeklyCount,
} from "./delivery-figures";
import { type PromotionFilters, promotionWhere } from "./history";

export type { LeadTimeSample, WeeklyCount };
export { median };

export interface PromotionStats {
  environments: string[];
  weeks: WeeklyCount[];
  leadTime: {
    firstEnv: string | null;
    lastEnv: string | null;
    medianMs: number | null;
    samples: LeadTimeSample[];
  };
  changeFailureRate: ChangeFailureRate;
  timeToRestore: TimeToRestore;
}

const select = {
  id: true,
  repository: true,
  app: true,
  digest: true,
  tag: true,
  fromEnv: true,
  toEnv: true,
  status: true,
  rollback: true,
  requestedBy: true,
  createdAt: true,
  closedAt: true,
  sourceSince: true,
} as const;

type SelectedRow = Prisma.PromotionGetPayload<{ select: typeof select }>;

function toDeliveryRow(r: SelectedRow): DeliveryRow {
  return {
    id: r.id,
    repository: r.repository,
    app: r.app,
    fromEnv: r.fromEnv,
    toEnv: r.toEnv,
    reference: promotionReference(r),
    rollback: r.rollback,
    status: r.status,
    createdAt: r.createdAt,
    closedAt: r.closedAt,
    sourceSince: r.sourceSince,
    requestedBy: r.requestedBy,
  };
}

/** The rows of these references (a digest, or `tag:<tag>` for a tag-only promotion). */
function referenceWhere(references: readonly string[]): Prisma.PromotionWhereInput {
  const digests = references.filter((r) => !r.startsWith("tag:"));
  const tags = references.filter((r) => r.startsWith("tag:")).map((r) => r.slice(4));
  return {
    OR: [
      ...(digests.length > 0 ? [{ digest: { in: digests } }] : []),
      ...(tags.length > 0 ? [{ digest: null, tag: { in: tags } }] : []),
    ],
  };
}

/**
 * `environments` is the ladder order (scan.environments): the first and last rungs bound the
 * lead time. The `env` filter narrows frequency and the failure figures, not the lead time.
 */
export async function promotionStats(
  db: Db,
  filters: PromotionFilters,
  options: { environments: readonly string[]; maxRows?: number },
): Promise<PromotionStats> {
  const take = options.maxRows ?? 50_000;
  const rows = (await db.promotion.findMany({ where: promotionWhere(filters), select, orderBy: { createdAt: "asc" }, take })).map(
    toDeliveryRow,
  );
  const environments = [...options.environments];
  for (const r of rows) if (!environments.includes(r.toEnv)) environments.push(r.toEnv);

  const firstEnv = options.environments[0] ?? null;
  const lastEnv = options.environments.at(-1) ?? null;
  const { env: _env, status: _status, from, to, ...rest } = filters;
  const { person, rollback: _rollback, ...scope } = rest;
  const references = [
    ...new Set(rows.filter((r) => r.toEnv === lastEnv && r.status === "MERGED" && r.closedAt).map((r) => r.reference)),
  ];
  const related =
    firstEnv && lastEnv && firstEnv !== lastEnv && references.length > 0
      ? (
          await db.promotion.findMany({
            // Every row of those references, whatever the date filter: the first sighting may predate it.
            where: { AND: [promotionWhere(rest), referenceWhere(references)] },
            select,
          })
        ).map(toDeliveryRow)
      : [];
  const samples = leadTime(rows, related, { firstEnv, lastEnv });

  const history = (
    await db.promotion.findMany({
      where: {
        ...promotionWhere({ ...scope, ...(filters.env ? { env: filters.env } : {}) }),
        status: "MERGED",
        // A promotion requested in the range merged in it or later, and so did its rollback.
        closedAt: { not: null, ...(from ? { gte: from } : {}) },
      },
      select,
      orderBy: { closedAt: "asc" },
      take,
    })
  ).map(toDeliveryRow);
  const login = person?.toLowerCase();
  const counts = (r: DeliveryRow) =>
    (!from || r.createdAt >= from) && (!to || r.createdAt < to) && (!login || r.requestedBy.toLowerCase() === login);
  const failureOptions = { environments, counts };

  return {
    environments,
    weeks: promotionFrequency(rows, { environments, ...(from ? { from } : {}) }),
    leadTime: { firstEnv, lastEnv, medianMs: median(samples.map((s) => s.ms)), samples },
    changeFailureRate: changeFailureRate(history, failureOptions),
    timeToRestore: timeToRestore(history, failureOptions),
  };
}
