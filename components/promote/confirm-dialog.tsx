"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useRef, useState, useTransition } from "react";

/**
 * A preview computed on the server for a dialog: fetched fresh on every open (a promotion is
 * decided on what the repository says now), its `message` shown when the server refuses.
 */
export function usePreview<T>(queryKey: readonly unknown[], url: string) {
  return useQuery({
    queryKey,
    queryFn: async (): Promise<T> => {
      const response = await fetch(url, { cache: "no-store" });
      const body = (await response.json()) as T | { message: string };
      if (!response.ok)
        throw new Error(
          typeof body === "object" && body && "message" in body ? body.message : `preview failed (${response.status})`,
        );
      return body as T;
    },
    staleTime: 0,
  });
}

/** Confirm: posts the preview's token to a server action, then refreshes what the page shows. */
export function useSubmit<R extends { ok: boolean }>(action: (input: { token: string }) => Promise<R>) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<R | null>(null);
  const submit = (token: string | null | undefined) => {
    if (!token) return;
    startTransition(async () => {
      const outcome = await action({ token });
      setResult(outcome);
      if (outcome.ok) {
        await queryClient.invalidateQueries({ queryKey: ["promotions"] });
        router.refresh();
      }
    });
  };
  return { pending, result, submit };
}

/**
 * The modal both Promote dialogs use: a title and a line under it, a scrolling body, and Cancel
 * (Done once it worked) beside the confirm button, which is gone once it worked.
 */
export function ConfirmDialog({
  titleId,
  title,
  subtitle,
  wide = false,
  done,
  confirm,
  onClose,
  children,
}: {
  titleId: string;
  title: string;
  subtitle?: ReactNode;
  wide?: boolean;
  /** The action succeeded: Cancel reads Done and the confirm button goes. */
  done: boolean;
  confirm: { label: string; disabled: boolean; onClick: () => void };
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const close = () => ref.current?.close();
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={titleId}
      className={`m-auto ${wide ? "w-[min(56rem,calc(100vw-2rem))]" : "w-[min(48rem,calc(100vw-2rem))]"} rounded-xl border border-zinc-200 bg-white p-0 text-left text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100`}
    >
      <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-5 py-4 dark:border-zinc-800">
        <div>
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {subtitle && <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">{subtitle}</p>}
        </div>
        <button
          type="button"
          onClick={close}
          aria-label="Close"
          className="rounded-md px-2 py-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          ✕
        </button>
      </div>

      <div className="max-h-[70vh] space-y-4 overflow-y-auto px-5 py-4">{children}</div>

      <div className="flex items-center justify-end gap-2 border-t border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <button
          type="button"
          onClick={close}
          className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
        >
          {done ? "Done" : "Cancel"}
        </button>
        {!done && (
          <button
            type="button"
            onClick={confirm.onClick}
            disabled={confirm.disabled}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:bg-zinc-300 disabled:text-zinc-600 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-400"
          >
            {confirm.label}
          </button>
        )}
      </div>
    </dialog>
  );
}
