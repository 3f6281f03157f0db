import type { ReactNode } from "react";

export type BadgeTone = "green" | "amber" | "blue" | "red" | "gray" | "violet";

/** A small status label; its shape and colours live in globals.css (one ui-badge-<tone> class: it repeats in every matrix cell). */
export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`ui-badge-${tone}`}>
      {children}
    </span>
  );
}
