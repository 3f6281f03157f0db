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
        className={
          className ??
          "inline-flex w-fit items-center gap-1 rounded-md bg-indigo-600 px-2 py-1 text-xs font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
        }
      >
        {children}
      </button>
      {open && <PromoteDialog target={target} onClose={() => setOpen(false)} />}
    </>
  );
}
