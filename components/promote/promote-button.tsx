"use client";

import dynamic from "next/dynamic";
import { type ReactNode, useState } from "react";
import type { PromoteTarget } from "./promote-dialog";

/** Loaded on the first click: the matrix shows hundreds of buttons and opens one dialog at a time. */
const PromoteDialog = dynamic(() => import("./promote-dialog").then((m) => m.PromoteDialog), { ssr: false });

export function PromoteButton({
  target,
  children,
  label,
  className,
}: {
  target: PromoteTarget;
  children: ReactNode;
  label?: string;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label={label}
        aria-haspopup="dialog"
        className={className ?? "ui-button-primary-sm"}
      >
        {children}
      </button>
      {open && <PromoteDialog target={target} onClose={() => setOpen(false)} />}
    </>
  );
}
