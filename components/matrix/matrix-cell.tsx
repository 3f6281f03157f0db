import Link from "next/link";
import { Suspense } from "react";
import type { MatrixCell as Cell, MatrixTarget } from "@/lib/data/matrix";
import type { OpenPromotionView } from "@/lib/data/promotions";
import { labelledVersionText, versionOf } from "@/lib/matrix/environment-matrix";
import { PromoteButton } from "../promote/promote-button";
import { RegistryBadge } from "../registry/registry-badge";
import { Badge } from "../ui/badge";
import { CopyButton } from "../ui/copy-button";
import { RelativeTime } from "../ui/relative-time";
import { ImageVersion } from "./image-version";
import { OpenPromotionBadge } from "./open-promotion-badge";

function RelationChip({ cell, app }: { cell: Cell; app: string }) {
  if (cell.relation === "bottom" || !cell.relationTo) return null;
  const compare = `/apps/${encodeURIComponent(app)}/compare?from=${encodeURIComponent(cell.relationTo)}&to=${encodeURIComponent(cell.env)}`;
  if (cell.relation === "same")
    return (
      <Link href={compare} className="ui-meta hover:underline">
        same as {cell.relationTo}
      </Link>
    );
  if (cell.relation === "differs")
    return (
      <Link href={compare} className="text-[11px] font-medium text-sky-700 hover:underline dark:text-sky-400">
        differs from {cell.relationTo}
      </Link>
    );
  return <span className="ui-meta">not deployed in {cell.relationTo}</span>;
}

/**
 * What a canary would take from the rung below: its one pinned version, also when it fans out and
 * every target runs the same; undefined when there is no single pinned version to take.
 */
function canaryVersion(below: Cell): string | undefined {
  if (below.targets) {
    const versions = new Set(below.targets.map((t) => t.version));
    const pinned = below.targets.every((t) => t.images.some((i) => i.pinned));
    return versions.size === 1 && pinned ? below.targets[0]?.version : undefined;
  }
  return below.images.some((i) => i.pinned) ? versionOf(below.images) : undefined;
}

/** An environment that fans out: the summary, and one line per target on demand (no client JS). */
function TargetsView({
  targets,
  summary,
  testId,
  canary,
}: {
  targets: MatrixTarget[];
  summary: string;
  testId: string;
  /** The rung below runs one version everywhere: each target not on it can take it first (a canary). */
  canary?: { app: string; env: string; from: string; version: string };
}) {
  return (
    <details className="group min-w-0" data-testid={testId}>
      <summary className="cursor-pointer list-none text-sm font-semibold [&::-webkit-details-marker]:hidden">
        <span className="font-mono">{summary}</span>
        <span className="ui-meta ml-1 group-open:hidden">▸ per target</span>
        <span className="ui-meta ml-1 hidden group-open:inline">▾</span>
      </summary>
      <ul className="mt-1 space-y-0.5">
        {targets.map((t) => (
          <li key={t.name} className="flex min-w-0 items-center gap-1.5 text-xs" title={t.path}>
            <span className="w-20 shrink-0 truncate font-medium">{t.name}</span>
            <span className="truncate font-mono">
              {t.images.map((i) => `${labelledVersionText(i)}${i.shortDigest ? ` ${i.shortDigest}` : ""}`).join(", ") ||
                "nothing resolved"}
            </span>
            {t.problems > 0 && <Badge tone="red">{t.problems}</Badge>}
            {t.images
              .filter((i) => i.pinned && i.digest)
              .map((i) => (
                <Suspense key={i.reference} fallback={null}>
                  <RegistryBadge repository={i.repository} digest={i.digest ?? ""} />
                </Suspense>
              ))}
            {canary && t.version !== canary.version && (
              <PromoteButton
                target={{ app: canary.app, toEnv: canary.env, fromEnv: canary.from, target: t.name }}
                label={`Canary: promote ${canary.app} from ${canary.from} to ${canary.env}/${t.name} only`}
                className="ml-auto shrink-0 rounded border border-indigo-300 px-1 text-[11px] text-indigo-800 hover:bg-indigo-50 dark:border-indigo-800 dark:text-indigo-300 dark:hover:bg-indigo-950"
              >
                canary
              </PromoteButton>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function MatrixCellView({
  cell,
  app,
  promoteFrom,
  below,
  openPromotion,
}: {
  cell: Cell | null;
  app: string;
  promoteFrom?: string;
  /** The rung below's cell (what a canary into one target would take). */
  below?: Cell | null;
  /** The promotion into this cell that is waiting on its pull request. */
  openPromotion?: OpenPromotionView;
}) {
  if (!cell) {
    return <div className="px-3 py-3 text-xs text-zinc-400 dark:text-zinc-600">not deployed</div>;
  }
  const problems = cell.warnings.length + cell.unresolved.length;
  const problemText = [
    ...cell.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`),
    ...cell.unresolved.map((u) => `${u.reference}: ${u.reason}`),
  ].join("\n");
  return (
    <div className="flex h-full flex-col gap-1.5 px-3 py-2.5" data-testid={`cell-${app}-${cell.env}`}>
      {cell.targets && cell.targetSummary && (
        <TargetsView
          targets={cell.targets}
          summary={cell.targetSummary}
          testId={`targets-${app}-${cell.env}`}
          {...(promoteFrom && below && canaryVersion(below)
            ? { canary: { app, env: cell.env, from: promoteFrom, version: canaryVersion(below) ?? "" } }
            : {})}
        />
      )}
      {!cell.targets &&
        cell.images.length === 0 &&
        cell.unresolved
          .filter((u) => u.tag)
          .map((u) => (
            <div key={u.reference} className="min-w-0" title={u.reason}>
              <span className="font-mono text-sm font-semibold">{u.tag}</span>{" "}
              <Badge tone="amber" title={u.reason}>
                repository from the chart
              </Badge>
            </div>
          ))}
      {!cell.targets && cell.images.length === 0 && !cell.unresolved.some((u) => u.tag) && (
        <span className="text-xs text-zinc-500 dark:text-zinc-400">no image resolved</span>
      )}
      {!cell.targets &&
        cell.images.map((image) => (
          <div key={image.reference} className="min-w-0">
            <ImageVersion image={image} testId="tag" />
            <div className="flex items-center gap-1">
              <span className="ui-meta truncate font-mono" data-testid="digest">
                {image.shortDigest ?? "—"}
              </span>
              <CopyButton value={image.reference} label={`Copy ${image.repository} ${image.shortDigest ?? image.tag ?? ""}`} />
              {image.pinned && image.digest && (
                // Its own boundary: the cell is drawn at once, the badge when the registry answers.
                <Suspense fallback={null}>
                  <RegistryBadge repository={image.repository} digest={image.digest} />
                </Suspense>
              )}
            </div>
            {cell.images.length > 1 && <div className="ui-meta truncate">{image.repository}</div>}
          </div>
        ))}
      {cell.artifacts?.map((a) => (
        <div key={`${a.kind}:${a.name}`} className="flex min-w-0 items-center gap-1.5 text-xs" title={a.note ?? a.name}>
          <span className="ui-meta shrink-0">{a.kind === "chart" ? "chart" : "base"}</span>
          <span className="truncate font-mono">
            {a.kind === "chart" ? a.name : a.name.replace(/^https?:\/\//, "")} {a.version ?? "(no version)"}
          </span>
          {!a.pinned && <Badge tone="amber">{a.kind === "chart" ? "range" : "moves"}</Badge>}
          {a.promote && promoteFrom && (
            <PromoteButton
              target={{ app, toEnv: cell.env, fromEnv: promoteFrom, artifact: { kind: a.kind, name: a.name } }}
              label={`Promote ${a.kind === "chart" ? "chart" : "remote base"} ${a.name} ${a.promote} from ${promoteFrom} to ${cell.env}`}
              className="ui-button-sm shrink-0"
            >
              Promote {a.promote}
            </PromoteButton>
          )}
        </div>
      ))}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <RelationChip cell={cell} app={app} />
        {cell.drift !== undefined && cell.drift > 0 && cell.relationTo && (
          <Link
            href={`/apps/${encodeURIComponent(app)}/compare?from=${encodeURIComponent(cell.relationTo)}&to=${encodeURIComponent(cell.env)}`}
            title={`${cell.drift} difference${cell.drift > 1 ? "s" : ""} from ${cell.relationTo} that ladder.yaml does not allow`}
          >
            <Badge tone="red">{cell.drift} drift</Badge>
          </Link>
        )}
        {problems > 0 && (
          <span title={problemText}>
            <Badge tone="red">
              {problems} warning{problems > 1 ? "s" : ""}
            </Badge>
          </span>
        )}
      </div>
      {cell.lastChange && (
        <div className="ui-meta truncate" title={cell.lastChange.message}>
          <RelativeTime date={cell.lastChange.date} /> ·{" "}
          {cell.lastChange.url ? (
            <a href={cell.lastChange.url} className="font-mono hover:underline">
              {cell.lastChange.sha.slice(0, 7)}
            </a>
          ) : (
            <span className="font-mono">{cell.lastChange.sha.slice(0, 7)}</span>
          )}{" "}
          · {cell.lastChange.author}
        </div>
      )}
      {!cell.promotable && cell.relation === "differs" && cell.belowTagOnly && (
        <span className="text-[11px] text-amber-800 dark:text-amber-300">
          {cell.relationTo} runs a tag only: pin a digest to promote it
        </span>
      )}
      {openPromotion && <OpenPromotionBadge promotion={openPromotion} testId={`open-promotion-${app}-${cell.env}`} />}
      {cell.promotable && promoteFrom && (
        <div className="mt-auto">
          <PromoteButton
            target={{ app, toEnv: cell.env, fromEnv: promoteFrom }}
            label={`Promote from ${promoteFrom}: ${app} to ${cell.env}`}
          >
            Promote from {promoteFrom}
            <span aria-hidden="true">↑</span>
          </PromoteButton>
        </div>
      )}
    </div>
  );
}
