"use client";

import { type PromoteBundleActionResult, promoteBundleAction } from "@/app/actions/promotions";
import { shortDigest } from "@/lib/gitops/image-ref";
import type { BundlePreview } from "@/lib/promotion/bundle";
import type { PromotionPreview } from "@/lib/promotion/preview-promotion";
import { registryEvidenceSummary } from "@/lib/registry/registry-evidence-text";
import { cellBadge } from "../registry/evidence-view";
import { Badge } from "../ui/badge";
import { ConfirmDialog, usePreview, useSubmit } from "./confirm-dialog";
import { UnifiedDiff } from "./unified-diff";

export interface BundleTarget {
  toEnv: string;
  apps: readonly string[];
  /** Every app waiting for `toEnv` in the whole repository. */
  waiting?: boolean;
  /** A bundle id: roll back every app it merged. */
  rollbackBundle?: string;
}

function previewUrl(target: BundleTarget): string {
  const params = new URLSearchParams({ to: target.toEnv });
  for (const app of target.apps) params.append("app", app);
  if (target.waiting) params.set("waiting", "1");
  if (target.rollbackBundle) params.set("rollback", target.rollbackBundle);
  return `/api/promotions/bundle?${params.toString()}`;
}

function reference(ref: { tag: string | null; digest: string | null } | undefined): string {
  if (!ref) return "—";
  return [ref.tag, ref.digest ? shortDigest(ref.digest) : null].filter(Boolean).join(" ") || "—";
}

function Member({ preview }: { preview: PromotionPreview }) {
  const warnings = preview.checks.filter((c) => c.status === "warn");
  const registry = preview.registry;
  const badge = registry ? cellBadge(registry) : undefined;
  return (
    <li className="rounded-md border border-zinc-200 dark:border-zinc-800" data-testid={`bundle-member-${preview.request.app}`}>
      <details>
        <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
          <span className="font-medium">{preview.request.app}</span>
          <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">
            {reference(preview.change?.from)} →{" "}
            <span className="text-indigo-700 dark:text-indigo-300">{reference(preview.change?.to)}</span>
          </span>
          <span className="font-mono text-xs text-zinc-500">{preview.change?.path}</span>
          {badge && (
            <Badge tone={badge.tone} title={badge.title}>
              {badge.label}
            </Badge>
          )}
          {warnings.length > 0 && (
            <Badge tone="amber">
              {warnings.length} warning{warnings.length === 1 ? "" : "s"}
            </Badge>
          )}
        </summary>
        <div className="space-y-2 border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
          {registry && (
            <p className="text-xs" data-testid="bundle-member-registry">
              <span className="font-medium">Registry</span>
              <span className="text-zinc-600 dark:text-zinc-400"> — {registryEvidenceSummary(registry)}</span>
            </p>
          )}
          {preview.change && <UnifiedDiff diff={preview.change.unifiedDiff} />}
          <ul className="space-y-1 text-xs">
            {preview.checks.map((c) => (
              <li key={c.id} data-status={c.status}>
                <span
                  aria-hidden="true"
                  className={`mr-1 inline-block w-3 font-bold ${c.status === "pass" ? "text-emerald-700 dark:text-emerald-400" : c.status === "warn" ? "text-amber-700 dark:text-amber-400" : "text-red-700 dark:text-red-400"}`}
                >
                  {c.status === "pass" ? "✓" : c.status === "warn" ? "!" : "✕"}
                </span>
                <span className="sr-only">{c.status}: </span>
                <span className="font-medium">{c.label}</span>
                <span className="text-zinc-600 dark:text-zinc-400"> — {c.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      </details>
    </li>
  );
}

/**
 * The bundle dialog: every app that will move with its diff and checks, every app left out with
 * its reasons, then Confirm — which re-checks each app on the server and opens one pull request.
 */
export function BundleDialog({ target, onClose }: { target: BundleTarget; onClose: (done: boolean) => void }) {
  const preview = usePreview<BundlePreview>(
    ["bundle-preview", target.toEnv, target.waiting ? "waiting" : "", target.rollbackBundle ?? "", ...target.apps],
    previewUrl(target),
  );
  const { pending, result, submit } = useSubmit<PromoteBundleActionResult>(promoteBundleAction);
  const data = preview.data;
  const n = data?.included.length ?? 0;
  const title = target.rollbackBundle
    ? `Roll back the bundle in ${target.toEnv}`
    : target.waiting
      ? `Promote everything waiting for ${target.toEnv}`
      : `Promote ${target.apps.length} apps to ${target.toEnv}`;
  return (
    <ConfirmDialog
      titleId="bundle-title"
      title={title}
      wide
      subtitle={
        data && (
          <>
            {data.fromEnv ?? "?"} → {data.toEnv} · one pull request, one commit, {n} file{n === 1 ? "" : "s"}
          </>
        )
      }
      done={result?.ok ?? false}
      confirm={{
        label: pending
          ? "Opening pull request…"
          : n === 0
            ? "Nothing to promote"
            : `Open one pull request for ${n} app${n === 1 ? "" : "s"}`,
        disabled: !data?.token || pending,
        onClick: () => submit(data?.token),
      }}
      onClose={() => onClose(result?.ok ?? false)}
    >
      {preview.isPending && (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          Checking policy and planning each app's change…
        </p>
      )}
      {preview.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {preview.error.message}
        </p>
      )}
      {data && (
        <>
          <section aria-labelledby="bundle-included">
            <h3 id="bundle-included" className="mb-1.5 text-sm font-medium">
              {n === 0 ? "Nothing can move" : `${n} app${n === 1 ? "" : "s"} will move`}
            </h3>
            <ul className="space-y-1.5" data-testid="bundle-included">
              {data.included.map((p) => (
                <Member key={p.request.app} preview={p} />
              ))}
            </ul>
          </section>
          {data.leftOut.length > 0 && (
            <section aria-labelledby="bundle-left-out">
              <h3 id="bundle-left-out" className="mb-1.5 text-sm font-medium text-amber-800 dark:text-amber-300">
                Left out ({data.leftOut.length})
              </h3>
              <ul className="space-y-1 text-sm" data-testid="bundle-left-out">
                {data.leftOut.map((l) => (
                  <li key={l.app}>
                    <span className="font-medium">{l.app}</span>
                    <span className="text-zinc-600 dark:text-zinc-400"> — {l.reasons.join("; ")}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {result && (
        <div role={result.ok ? "status" : "alert"} data-testid="bundle-result">
          {result.ok ? (
            <p className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
              {result.status === "existing" ? "This bundle was already open: " : "Pull request opened: "}
              {result.prUrl ? (
                <a className="font-medium underline" href={result.prUrl}>
                  #{result.prNumber}
                </a>
              ) : (
                "recorded"
              )}{" "}
              for {result.apps.join(", ")}.
              {result.leftOut.length > 0 &&
                ` Left out since the preview: ${result.leftOut.map((l) => `${l.app} (${l.reasons.join("; ")})`).join(", ")}.`}
            </p>
          ) : (
            <p className="rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">{result.message}</p>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}
