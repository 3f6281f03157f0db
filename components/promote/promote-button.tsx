"use client";

import { type ReactNode, useState } from "react";
import { PromoteDialog, type PromoteTarget } from "./promote-dialog";

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
