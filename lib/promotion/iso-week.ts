/** ISO-8601 weeks (Monday first; week 1 holds the year's first Thursday), in UTC. */
const DAY = 86_400_000;

export interface IsoWeek {
  year: number;
  week: number;
  /** "2026-W05" */
  key: string;
  /** Monday 00:00 UTC. */
  start: Date;
}

export function isoWeek(date: Date): IsoWeek {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  const monday = day - weekday * DAY;
  const thursday = monday + 3 * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const week = Math.round((monday - week1Monday) / (7 * DAY)) + 1;
  return { year, week, key: `${year}-W${String(week).padStart(2, "0")}`, start: new Date(monday) };
}

/** Every ISO week from the one holding `from` to the one holding `to`, inclusive. */
export function isoWeeksBetween(from: Date, to: Date): IsoWeek[] {
  const out: IsoWeek[] = [];
  const last = isoWeek(to).start.getTime();
  for (let t = isoWeek(from).start.getTime(); t <= last && out.length < 1000; t += 7 * DAY) out.push(isoWeek(new Date(t)));
  return out;
}
