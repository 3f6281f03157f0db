"use client";

import { type PromoteActionResult, promoteAction } from "@/app/actions/promotions";
import { shortDigest } from "@/lib/gitops/image-ref";
import type { PromotionPreview } from "@/lib/promotion/preview-promotion";
import { queryKeys } from "../query/query-client";
import { Badge } from "../ui/badge";
import { RelativeTime } from "../ui/relative-time";
import { ConfirmDialog, usePreview, useSubmit } from "./confirm-dialog";
import { RegistrySection } from "./registry-section";
import { UnifiedDiff } from "./unified-diff";

export interface PromoteTarget {
  app: string;
  toEnv: string;
  fromEnv?: string;
  digest?: string;
  rollback?: boolean;
  /** A canary: promote into this one target of `toEnv`. */
  target?: string;
  /** Promote a chart version or a remote base's ref instead of an image. */
  artifact?: { kind: "chart" | "remote-base"; name: string };
}

function previewUrl(target: PromoteTarget): string {
  const params = new URLSearchParams({ app: target.app, to: target.toEnv });
  if (target.fromEnv) params.set("from", target.fromEnv);
  if (target.digest) params.set("digest", target.digest);
  if (target.rollback) params.set("rollback", "1");
  if (target.artifact) params.set("artifact", `${target.artifact.kind}:${target.artifact.name}`);
  if (target.target) params.set("target", target.target);
  return `/api/promotions/preview?${params.toString()}`;
}

const statusTone = { pass: "green", fail: "red", warn: "amber" } as const;
const statusIcon = { pass: "✓", fail: "✕", warn: "!" } as const;

function short(digest: string | null | undefined): string {
  return digest ? shortDigest(digest) : "—";
}

/** `chart podinfo`, `remote base https://…`. */
function artifactWords(a: { kind: "chart" | "remote-base"; name: string }): string {
  return `${a.kind === "chart" ? "chart" : "remote base"} ${a.name}`;
}

/** "Promote chart podinfo 6.5.0 → 6.6.0" once the preview says which versions; "Promote api to prod" for an image. */
function dialogTitle(target: PromoteTarget, data: PromotionPreview | undefined): string {
  if (target.rollback) return `Roll back ${target.app} in ${target.toEnv}`;
  if (target.target) return `Promote ${target.app} to ${target.toEnv}/${target.target} (canary)`;
  if (!target.artifact) return `Promote ${target.app} to ${target.toEnv}`;
  const from = data?.change?.from.tag ?? data?.target.artifact?.version;
  const to = data?.request.tag ?? data?.source.artifact?.version;
  return `Promote ${artifactWords(target.artifact)}${from || to ? ` ${from ?? "(none)"} → ${to ?? "?"}` : ""}`;
}

/**
 * The Promote dialog: the exact change, the evidence, every policy check and
 * its reason, then Confirm — which re-checks everything on the server.
 */
export function PromoteDialog({ target, onClose }: { target: PromoteTarget; onClose: () => void }) {
  const preview = usePreview<PromotionPreview>(queryKeys.preview(target), previewUrl(target));
  const { pending, result, submit } = useSubmit<PromoteActionResult>(promoteAction);
  const data = preview.data;
  return (
    <ConfirmDialog
      titleId="promote-title"
      title={dialogTitle(target, data)}
      subtitle={
        data && (
          <>
            {data.request.fromEnv ?? "?"} → {data.request.toEnv} ·{" "}
            {target.artifact ? target.app : (data.request.image ?? "image")}
          </>
        )
      }
      done={result?.ok ?? false}
      confirm={{
        label: pending ? "Opening pull request…" : data && !data.allowed ? "Refused by policy" : "Confirm and open pull request",
        disabled: !data?.allowed || !data.token || pending,
        onClick: () => submit(data?.token),
      }}
      onClose={onClose}
    >
      {preview.isPending && (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          Checking policy and planning the change…
        </p>
      )}
      {preview.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {preview.error.message}
        </p>
      )}
      {data && (
        <>
          <section aria-label="Change" className="grid gap-3 sm:grid-cols-2">
            <div className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
              <div className="text-xs text-zinc-500 dark:text-zinc-400">{data.target.env} runs now</div>
              <div className="font-mono text-sm" data-testid="old-reference">
                {data.change?.from.tag ?? data.target.image?.tag ?? data.target.artifact?.version ?? "—"}{" "}
                {target.artifact ? "" : short(data.change?.from.digest ?? data.target.image?.digest)}
              </div>
            </div>
            <div className="rounded-md border border-indigo-300 bg-indigo-50 p-3 dark:border-indigo-800 dark:bg-indigo-950/40">
              <div className="text-xs text-indigo-800 dark:text-indigo-300">after the pull request merges</div>
              <div className="font-mono text-sm" data-testid="new-digest">
                {data.change?.to.tag ?? data.request.tag ?? data.source.artifact?.version ?? "—"}{" "}
                {target.artifact ? "" : short(data.change?.to.digest ?? data.request.digest)}
              </div>
              {data.change && !data.change.to.digest && !target.artifact && (
                <div className="mt-1 text-xs text-indigo-900 dark:text-indigo-200">
                  A tag only: ladder.yaml allows it here, but a tag can move after the merge.
                </div>
              )}
            </div>
          </section>

          {data.change && (
            <section aria-labelledby="diff-heading">
              <h3 id="diff-heading" className="mb-1.5 text-sm font-medium">
                The pull request changes <span className="font-mono text-xs">{data.change.path}</span>
              </h3>
              <UnifiedDiff diff={data.change.unifiedDiff} />
            </section>
          )}

          {data.change?.targets && (
            <section aria-labelledby="targets-heading">
              <h3 id="targets-heading" className="mb-1.5 text-sm font-medium">
                Targets of {data.request.toEnv}
              </h3>
              <ul className="space-y-1 text-sm" data-testid="promote-targets">
                {data.change.targets.map((t) => (
                  <li key={t.name} data-reached={t.reached ? "yes" : "no"} className="flex flex-wrap items-center gap-2">
                    <Badge tone={t.reached ? "green" : "amber"}>{t.reached ? "reached" : "keeps its own pin"}</Badge>
                    <span className="font-medium">{t.name}</span>
                    <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">
                      {t.runs ? `${t.runs.tag ?? ""} ${short(t.runs.digest)}` : "nothing"}
                      {t.reached ? "" : ` (set in ${t.path})`}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}

          {data.evidence && (
            <p className="text-sm" data-testid="evidence">
              {data.evidence.observed ? (
                <>
                  This {target.artifact ? "version" : "digest"} has run in <strong>{data.evidence.env}</strong>
                  {data.evidence.since ? (
                    <>
                      {" "}
                      since <RelativeTime date={data.evidence.since} />
                      {data.evidence.sinceIsLowerBound ? " (at least)" : ""}
                    </>
                  ) : null}
                  {data.evidence.commit && (
                    <>
                      , commit{" "}
                      {data.evidence.url ? (
                        <a className="font-mono underline" href={data.evidence.url}>
                          {data.evidence.commit.slice(0, 7)}
                        </a>
                      ) : (
                        <span className="font-mono">{data.evidence.commit.slice(0, 7)}</span>
                      )}
                      {data.evidence.author ? ` by ${data.evidence.author}` : ""}
                    </>
                  )}
                  {data.evidence.runningNow ? ", and runs there now." : "."}
                </>
              ) : (
                <>
                  No record of this {target.artifact ? "version" : "digest"} in <strong>{data.evidence.env}</strong>'s last{" "}
                  {data.evidence.commitsChecked} commits.
                </>
              )}
            </p>
          )}

          {data.registry && <RegistrySection evidence={data.registry} />}

          <section aria-labelledby="checks-heading">
            <h3 id="checks-heading" className="mb-1.5 text-sm font-medium">
              Policy checks
            </h3>
            <ul className="space-y-1.5" data-testid="checks">
              {data.checks.map((check) => (
                <li key={check.id} className="flex items-start gap-2 text-sm" data-status={check.status}>
                  <Badge tone={statusTone[check.status]}>
                    <span aria-hidden="true">{statusIcon[check.status]}</span> {check.status}
                  </Badge>
                  <span>
                    <span className="font-medium">{check.label}</span>
                    <span className="text-zinc-600 dark:text-zinc-400"> — {check.reason}</span>
                  </span>
                </li>
              ))}
            </ul>
          </section>

          {data.openPromotion && (
            <p className="text-sm text-amber-800 dark:text-amber-300">
              An open promotion of {data.openPromotion.tag ?? ""} {short(data.openPromotion.digest)} already holds{" "}
              {data.request.toEnv}
              {data.openPromotion.prUrl ? (
                <>
                  {" "}
                  (
                  <a className="underline" href={data.openPromotion.prUrl}>
                    PR #{data.openPromotion.prNumber}
                  </a>
                  )
                </>
              ) : null}
              {data.openPromotion.digest === data.change?.to.digest && data.openPromotion.tag === data.change?.to.tag
                ? "."
                : "; confirming supersedes it and closes its pull request."}
            </p>
          )}
        </>
      )}

      {result && (
        <div role={result.ok ? "status" : "alert"} data-testid="promote-result">
          {result.ok ? (
            <p className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
              {result.status === "existing" ? "This promotion was already open: " : "Pull request opened: "}
              {result.prUrl ? (
                <a className="font-medium underline" href={result.prUrl}>
                  #{result.prNumber}
                </a>
              ) : (
                "recorded"
              )}
              {result.superseded ? ` (it supersedes #${result.superseded}, now closed)` : ""}. Merge it to deploy; Ladder tracks
              it to the end.
            </p>
          ) : (
            <p className="rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
              {result.message}
              {result.prUrl ? (
                <>
                  {" "}
                  <a className="underline" href={result.prUrl}>
                    See the pull request
                  </a>
                </>
              ) : null}
            </p>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}
