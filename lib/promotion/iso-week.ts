/** ISO-8601 weeks (Monday first; week 1 holds the year's first Thursday), in UTC. */
import { utc } from "@date-fns/utc";
import { addWeeks, getISOWeek, getISOWeekYear, startOfISOWeek } from "date-fns";

// date-fns works in the process's local time unless told otherwise; weeks are UTC so every
// replica and time zone groups a promotion into the same week.
const inUtc = { in: utc };

export interface IsoWeek {
  year: number;
  week: number;
  /** "2026-W05" */
  key: string;
  /** Monday 00:00 UTC. */
  start: Date;
}

export function isoWeek(date: Date): IsoWeek {
  const year = getISOWeekYear(date, inUtc);
  const week = getISOWeek(date, inUtc);
  // A plain Date, not date-fns' UTCDate, so callers and equality checks see the usual type.
  const start = new Date(startOfISOWeek(date, inUtc).getTime());
  return { year, week, key: `${year}-W${String(week).padStart(2, "0")}`, start };
}

/** Every ISO week from the one holding `from` to the one holding `to`, inclusive (at most 1000: a bad range cannot run away). */
export function isoWeeksBetween(from: Date, to: Date): IsoWeek[] {
  const out: IsoWeek[] = [];
  const last = isoWeek(to).start.getTime();
  for (let monday = isoWeek(from).start; monday.getTime() <= last && out.length < 1000; monday = addWeeks(monday, 1, inUtc))
    out.push(isoWeek(monday));
  return out;
}
