"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { DeliveryRecord } from "@/lib/notify/deliveries";
import type { AuditEvent } from "@/lib/promotion/audit-chain";
import type { PromotionRecord } from "@/lib/promotion/promotion-record";
import { queryKeys } from "../query/query-client";
import { RelativeTime } from "../ui/relative-time";
import { NotificationDeliveries } from "./notification-deliveries";
import { ReviewStatusText } from "./review-status";
import { StatusBadge } from "./status-badge";

interface Detail {
  promotion: PromotionRecord;
  events: AuditEvent[];
  /** Notifications sent (or being retried) of this promotion's events. */
  deliveries: DeliveryRecord[];
}

/** A side panel with one promotion's fields and its full, hash-chained event trail. */
function Drawer({ id, onClose }: { id: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const detail = useQuery({
    queryKey: queryKeys.promotion(id),
    queryFn: async (): Promise<Detail> => {
      const response = await fetch(`/api/promotions/${encodeURIComponent(id)}`, { cache: "no-store" });
      if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
      return (await response.json()) as Detail;
    },
    // While a notification is still being retried, keep its status current.
    refetchInterval: (query) => (query.state.data?.deliveries?.some((d) => d.status === "PENDING") ? 3_000 : false),
  });
  const p = detail.data?.promotion;
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby="drawer-title"
      className="ml-auto mr-0 h-full max-h-none w-[min(40rem,100vw)] text-left border-l border-zinc-200 bg-white p-0 text-zinc-900 backdrop:bg-black/30 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-100"
    >
      <div className="flex items-center justify-between border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <h2 id="drawer-title" className="font-semibold">
          {p ? `${p.app}: ${p.fromEnv} → ${p.toEnv}` : "Promotion"}
        </h2>
        <button
          type="button"
          onClick={() => ref.current?.close()}
          aria-label="Close"
          className="rounded px-2 py-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          ✕
        </button>
      </div>
      <div className="space-y-4 overflow-y-auto overflow-x-hidden px-5 py-4 text-sm">
        {detail.isPending && <p role="status">Loading…</p>}
        {detail.isError && <p role="alert">{detail.error.message}</p>}
        {p && (
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1.5">
            <dt className="text-zinc-500 dark:text-zinc-400">Status</dt>
            <dd>
              <StatusBadge status={p.status} />
              {p.status === "OPEN" && <ReviewStatusText status={p.reviewStatus} />}
              {p.rollback ? " rollback" : ""}
            </dd>
            {p.status === "OPEN" && p.reviewStatus && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Reviews</dt>
                <dd data-testid="drawer-reviews">
                  {p.reviewStatus.reviews.approvedBy.length > 0
                    ? `approved by ${p.reviewStatus.reviews.approvedBy.join(", ")}`
                    : "no approvals"}
                  {p.reviewStatus.reviews.required ? ` (${p.reviewStatus.reviews.required} required)` : ""}
                  {p.reviewStatus.reviews.changesRequestedBy.length > 0 &&
                    `; changes requested by ${p.reviewStatus.reviews.changesRequestedBy.join(", ")}`}
                </dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Checks</dt>
                <dd>
                  {p.reviewStatus.checks.list.length === 0 ? (
                    "none reported"
                  ) : (
                    <ul data-testid="drawer-checks" className="space-y-0.5 text-xs">
                      {p.reviewStatus.checks.list.map((c) => (
                        <li key={c.name}>
                          <span className="font-mono">{c.name}</span>: {c.state}
                          {c.required ? " (required)" : ""}
                        </li>
                      ))}
                    </ul>
                  )}
                  <div className="text-xs text-zinc-500 dark:text-zinc-400">
                    GitHub says {p.reviewStatus.mergeableState} · <RelativeTime date={p.reviewStatus.checkedAt} />
                  </div>
                </dd>
              </>
            )}
            {p.status === "OPEN" && p.autoMergeRefusal && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Auto-merge</dt>
                <dd data-testid="drawer-auto-merge" className="text-amber-800 dark:text-amber-300">
                  GitHub refused the merge ({p.autoMergeRefusal.status}): {p.autoMergeRefusal.message}
                </dd>
              </>
            )}
            <dt className="text-zinc-500 dark:text-zinc-400">Image</dt>
            <dd className="min-w-0 break-all font-mono text-xs">{p.image}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Digest</dt>
            <dd className="break-all font-mono text-xs">{p.digest}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Replaces</dt>
            <dd className="break-all font-mono text-xs">{p.previousDigest ?? "—"}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Requested by</dt>
            <dd>{p.requestedBy}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Pull request</dt>
            <dd>
              {p.prUrl ? (
                <a className="break-all text-indigo-700 underline dark:text-indigo-400" href={p.prUrl}>
                  #{p.prNumber} ({p.branch})
                </a>
              ) : (
                "none"
              )}
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Base commit</dt>
            <dd className="font-mono text-xs">{p.baseCommit.slice(0, 12)}</dd>
            {p.error && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Error</dt>
                <dd className="text-red-700 dark:text-red-400">{p.error}</dd>
              </>
            )}
          </dl>
        )}
        {detail.data && detail.data.deliveries?.length > 0 && <NotificationDeliveries deliveries={detail.data.deliveries} />}
        {detail.data && (
          <section aria-labelledby="trail-heading">
            <h3 id="trail-heading" className="mb-2 font-medium">
              Event trail
            </h3>
            <ol className="space-y-2" data-testid="event-trail">
              {detail.data.events.map((e) => (
                <li key={e.id} className="rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
                  <div className="flex justify-between gap-2">
                    <span className="font-mono text-xs font-medium">{e.type}</span>
                    <RelativeTime date={e.createdAt} className="text-xs text-zinc-500 dark:text-zinc-400" />
                  </div>
                  <div className="text-xs">by {e.actor}</div>
                  {Object.keys(e.detail).length > 0 && (
                    <pre className="mt-1 overflow-x-auto rounded bg-zinc-50 p-1.5 text-[11px] dark:bg-zinc-900">
                      {JSON.stringify(e.detail, null, 2)}
                    </pre>
                  )}
                  <div
                    className="mt-1 truncate font-mono text-[10px] text-zinc-500 dark:text-zinc-400"
                    title={`previous ${e.prevHash}`}
                  >
                    #{e.id} · sha256 {e.hash.slice(0, 16)}…
                  </div>
                </li>
              ))}
            </ol>
          </section>
        )}
      </div>
    </dialog>
  );
}

export function DetailsButton({ id, label }: { id: string; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-label={label}
        className="rounded-md border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
      >
        Details
      </button>
      {open && <Drawer id={id} onClose={() => setOpen(false)} />}
    </>
  );
}
