"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { type LockActionResult, lockAction, unlockAction } from "@/app/actions/promotions";
import type { LockRecord } from "@/lib/promotion/locks";

/** The environment's locks with Unlock buttons, and a small form to add one. */
export function LockControls({ env, locks }: { env: string; locks: LockRecord[] }) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, formAction, pending] = useActionState<LockActionResult | null, FormData>(lockAction, null);
  useEffect(() => {
    if (open && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [open]);
  useEffect(() => {
    if (state?.ok) dialog.current?.close();
  }, [state]);
  const active = locks.length > 0;
  return (
    <span className="inline-flex items-center gap-1 normal-case">
      {locks.map((lock) => (
        <UnlockForm key={lock.id} env={env} lock={lock} />
      ))}
      {!active && (
        <button
          type="button"
          onClick={() => setOpen(true)}
          aria-label={`Lock ${env}`}
          title={`Freeze promotions into ${env}`}
          className="rounded px-1 text-zinc-400 hover:bg-zinc-200 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        >
          <svg aria-hidden="true" viewBox="0 0 16 16" className="h-3.5 w-3.5">
            <path
              fill="currentColor"
              d="M5 7V5a3 3 0 1 1 6 0v2h1a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1zm1.5 0h3V5a1.5 1.5 0 0 0-3 0z"
            />
          </svg>
        </button>
      )}
      {open && (
        <dialog
          ref={dialog}
          onClose={() => setOpen(false)}
          aria-labelledby={`lock-title-${env}`}
          className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-5 text-left text-sm normal-case tracking-normal text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
        >
          <h2 id={`lock-title-${env}`} className="text-base font-semibold">
            Lock {env}
          </h2>
          <p className="mt-1 text-zinc-600 dark:text-zinc-400">
            No promotion into {env} is allowed while the lock holds. It is recorded in the audit history.
          </p>
          <form action={formAction} className="mt-3 space-y-3">
            <input type="hidden" name="env" value={env} />
            <label className="block">
              <span className="text-xs text-zinc-600 dark:text-zinc-400">Reason</span>
              <input
                name="reason"
                required
                minLength={3}
                className="mt-1 w-full rounded-md border border-zinc-300 px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
              />
              {state && !state.ok && state.fieldErrors?.reason && (
                <span className="text-xs text-red-700">{state.fieldErrors.reason.join(" ")}</span>
              )}
            </label>
            <label className="block">
              <span className="text-xs text-zinc-600 dark:text-zinc-400">Expires after (hours, 0 = until unlocked)</span>
              <input
                name="hours"
                type="number"
                min={0}
                defaultValue={0}
                className="mt-1 w-32 rounded-md border border-zinc-300 px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
              />
            </label>
            {state && !state.ok && !state.fieldErrors && (
              <p role="alert" className="text-red-700 dark:text-red-400">
                {state.message}
              </p>
            )}
            <div className="flex justify-end gap-2">
              <button
                type="button"
                onClick={() => dialog.current?.close()}
                className="rounded-md border border-zinc-300 px-3 py-1.5 dark:border-zinc-700"
              >
                Cancel
              </button>
              <button
                type="submit"
                disabled={pending}
                className="rounded-md bg-amber-600 px-3 py-1.5 font-medium text-white hover:bg-amber-700"
              >
                {pending ? "Locking…" : `Lock ${env}`}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </span>
  );
}

/** One lock and its Unlock button; a refusal (not a locker of the lock's environment) shows beside it. */
function UnlockForm({ env, lock }: { env: string; lock: LockRecord }) {
  const [state, formAction, pending] = useActionState<LockActionResult | null, FormData>(unlockAction, null);
  return (
    <form action={formAction} className="inline-flex items-center gap-1">
      <input type="hidden" name="id" value={lock.id} />
      <span
        className="rounded bg-amber-100 px-1.5 py-0.5 text-[11px] font-medium tracking-normal text-amber-900 dark:bg-amber-900 dark:text-amber-100"
        title={`Locked by ${lock.createdBy}: ${lock.reason}${lock.expiresAt ? ` (until ${new Date(lock.expiresAt).toUTCString()})` : ""}`}
        data-testid={`lock-${env}`}
      >
        🔒 {lock.reason}
      </span>
      <button
        type="submit"
        disabled={pending}
        className="text-[11px] tracking-normal text-zinc-600 underline dark:text-zinc-400"
        aria-label={`Unlock ${env}`}
      >
        {pending ? "unlocking…" : "unlock"}
      </button>
      {state && !state.ok && (
        <span role="alert" className="text-[11px] tracking-normal normal-case text-red-700 dark:text-red-400">
          {state.message}
        </span>
      )}
    </form>
  );
}
