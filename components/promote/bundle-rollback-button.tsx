"use client";

import { useState } from "react";
import { BundleDialog } from "./bundle-dialog";

/** Rolls back every app a bundle merged, in one pull request (the dialog shows each app's diff first). */
export function BundleRollbackButton({ bundleId, env }: { bundleId: string; env: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        className="rounded-md border border-amber-400 px-2 py-0.5 text-xs text-amber-900 hover:bg-amber-50 dark:border-amber-700 dark:text-amber-200 dark:hover:bg-amber-950"
      >
        Roll back the whole bundle
      </button>
      {open && <BundleDialog target={{ toEnv: env, apps: [], rollbackBundle: bundleId }} onClose={() => setOpen(false)} />}
    </>
  );
}
