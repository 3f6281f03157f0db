"use client";

import { useEffect, useState } from "react";

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];
const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relativeTime(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") return format.format(Math.round(seconds / size), unit);
  }
  return "";
}

/** "3 hours ago", with the exact time on hover; re-renders every `tickMs`. */
export function RelativeTime({ date, tickMs = 30_000, className }: { date: string; tickMs?: number; className?: string }) {
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);
  const value = new Date(date);
  // The server renders the absolute date; the browser replaces it, avoiding a hydration mismatch,
  // and only then adds the exact time on hover and as dateTime (the server's text already is it:
  // a matrix repeats this in 200 cells).
  return (
    <time
      dateTime={now ? date : undefined}
      title={now ? value.toUTCString() : undefined}
      className={className}
      suppressHydrationWarning
    >
      {now ? relativeTime(value, now) : value.toISOString().slice(0, 16).replace("T", " ")}
    </time>
  );
}
