import type { ReactNode } from "react";

export type BadgeTone = "green" | "amber" | "blue" | "red" | "gray" | "violet";

/** A small status label; its colours live in globals.css (ui-badge-*). */
export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`ui-badge ui-badge-${tone}`}>
      {children}
    </span>
  );
}
