"use client";

import Link from "next/link";
import { useSyncExternalStore } from "react";
import type { LockRecord } from "@/lib/promotion/locks";
import { LockControls } from "../locks/lock-controls";
import { PromoteButton } from "../promote/promote-button";
import { Badge } from "../ui/badge";
import { CopyButton } from "../ui/copy-button";
import { RelativeTime } from "../ui/relative-time";
import { BundleCheckbox } from "./bundle-selection";
import { GridNavigation } from "./grid-navigation";
import {
  badgeKey,
  type GridCell,
  type GridCommit,
  type GridData,
  type GridTarget,
  imageRef,
  imageShort,
  imageVersion,
  relationTarget,
} from "./grid-types";
import { type RegistryBadges, RegistryBadgeView, useRegistryBadges } from "./registry-badges";
import { VersionLine } from "./version-line";

const noSubscription = () => () => {};

/**
 * False on the server and while hydrating, true after. The hover titles every cell repeats (the
 * full reference, what "pinned" means, the commit message) are drawn only then: they are for a
 * pointer in a running browser, and leaving them out of the server's markup keeps 200 cells'
 * HTML to what they show.
 */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * The app × environment matrix, drawn in the browser (and on the server, as markup) from
 * GridData's compact rows: one client component, so the RSC payload carries the rows' data once
 * rather than the rendered tree again. Classes are the short `mx-*` ones of globals.css.
 */
export function MatrixGrid({ data, locks = {} }: { data: GridData; locks?: Record<string, LockRecord[]> }) {
  const badges = useRegistryBadges(data);
  const tips = useHydrated();
  if (data.rows.length === 0) return null;
  const envs = data.environments;
  return (
    <GridNavigation>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        {/* Every column keeps room for a tag and a digest: many environments scroll sideways
            (the app column stays put) instead of truncating what runs. */}
        <table className="w-full table-fixed border-collapse text-left" style={{ minWidth: `${11 + envs.length * 12}rem` }}>
          <caption className="sr-only">{`Images per app and environment in ${data.repository} at ${data.commit.slice(0, 7)}`}</caption>
          <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="sticky left-0 z-10 w-44 bg-zinc-50 px-3 py-2 font-medium dark:bg-zinc-900">
                App
              </th>
              {envs.map((env, i) => (
                <th key={env} scope="col" className="px-3 py-2 font-medium">
                  {i > 0 && (
                    <span aria-hidden="true" className="mr-1 text-zinc-400">
                      →
                    </span>
                  )}
                  {`${env} `}
                  <LockControls env={env} locks={locks[env] ?? []} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {data.rows.map((row) => (
              <tr key={row.app} className="align-top">
                <th scope="row" className="mx-rowhead">
                  <BundleCheckbox app={row.app} />
                  <Link href={`/apps/${encodeURIComponent(row.app)}`} data-grid-cell className="mx-app">
                    {row.app}
                  </Link>
                  <div className="mx-format">
                    {row.format}
                    {row.waiting > 0 && <span className="mx-waiting">{`· ${row.waiting} waiting`}</span>}
                  </div>
                </th>
                {row.cells.map((cell, i) => (
                  <td key={envs[i]} className="mx-td">
                    {cell ? (
                      <CellView
                        cell={cell}
                        app={row.app}
                        env={envs[i] ?? ""}
                        promoteFrom={envs[i - 1]}
                        commits={data.commits}
                        badges={badges}
                        tips={tips}
                      />
                    ) : (
                      <div className="mx-none">not deployed</div>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </GridNavigation>
  );
}

function compareHref(app: string, from: string, to: string): string {
  return `/apps/${encodeURIComponent(app)}/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

function Relation({ cell, app, env, to }: { cell: GridCell; app: string; env: string; to: string | undefined }) {
  if (!cell.relation || !to) return null;
  if (cell.relation === "same")
    return (
      <Link href={compareHref(app, to, env)} className="ui-meta hover:underline">
        {`same as ${to}`}
      </Link>
    );
  if (cell.relation === "differs")
    return (
      <Link href={compareHref(app, to, env)} className="mx-differs">
        {`differs from ${to}`}
      </Link>
    );
  return <span className="ui-meta">{`not deployed in ${to}`}</span>;
}

/** An environment that fans out: the summary, and one line per target on demand. */
function Targets({
  targets,
  app,
  env,
  promoteFrom,
  badges,
}: {
  targets: NonNullable<GridCell["targets"]>;
  app: string;
  env: string;
  promoteFrom?: string;
  badges: RegistryBadges;
}) {
  const canary = promoteFrom ? targets.canary : undefined;
  return (
    <details className="group min-w-0" data-testid={`targets-${app}-${env}`}>
      <summary className="cursor-pointer list-none text-sm font-semibold [&::-webkit-details-marker]:hidden">
        <span className="font-mono">{targets.summary}</span>
        <span className="ui-meta ml-1 group-open:hidden">▸ per target</span>
        <span className="ui-meta ml-1 hidden group-open:inline">▾</span>
      </summary>
      <ul className="mt-1 space-y-0.5">
        {targets.list.map((t: GridTarget) => (
          <li key={t.name} className="flex min-w-0 items-center gap-1.5 text-xs" title={t.path}>
            <span className="w-20 shrink-0 truncate font-medium">{t.name}</span>
            <span className="truncate font-mono">{t.text}</span>
            {t.problems && <Badge tone="red">{t.problems}</Badge>}
            {t.badges?.map((b) => (
              <RegistryBadgeView key={b} badge={badges[b]} />
            ))}
            {canary && promoteFrom && t.version !== canary && (
              <PromoteButton
                target={{ app, toEnv: env, fromEnv: promoteFrom, target: t.name }}
                label={`Canary: promote ${app} from ${promoteFrom} to ${env}/${t.name} only`}
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

function LastChange({ commit, tips }: { commit: GridCommit; tips: boolean }) {
  const short = commit.sha.slice(0, 7);
  return (
    <div className="mx-meta" title={tips ? commit.message : undefined}>
      <RelativeTime date={commit.date} />
      {" · "}
      {commit.url ? (
        <a href={commit.url} className="mx-link">
          {short}
        </a>
      ) : (
        <span className="font-mono">{short}</span>
      )}
      {` · ${commit.author}`}
    </div>
  );
}

function CellView({
  cell,
  app,
  env,
  promoteFrom,
  commits,
  badges,
  tips,
}: {
  cell: GridCell;
  app: string;
  env: string;
  promoteFrom?: string;
  commits: GridCommit[];
  badges: RegistryBadges;
  /** Hover titles are drawn once hydrated (see useHydrated). */
  tips: boolean;
}) {
  const change = cell.change !== undefined ? commits[cell.change] : undefined;
  const relationTo = relationTarget(cell, promoteFrom);
  return (
    <div className="mx-cell" data-testid={`cell-${app}-${env}`}>
      {cell.targets && <Targets targets={cell.targets} app={app} env={env} promoteFrom={promoteFrom} badges={badges} />}
      {cell.chartTags?.map((u) => (
        <div key={u.tag} title={u.reason}>
          <span className="mx-tag">{u.tag}</span>{" "}
          <Badge tone="amber" title={u.reason}>
            repository from the chart
          </Badge>
        </div>
      ))}
      {!cell.targets && !cell.images && !cell.chartTags && <span className="mx-noimage">no image resolved</span>}
      {cell.images?.map((image) => {
        const short = imageShort(image);
        const badge = badgeKey(image);
        return (
          <div key={imageRef(image)}>
            <VersionLine
              version={imageVersion(image)}
              reference={imageRef(image)}
              labels={image.labels ?? []}
              pinned={image.pinned === true}
              tips={tips}
              testId="tag"
            />
            <div className="mx-digest">
              <span className="mx-short" data-testid="digest">
                {short ?? "—"}
              </span>
              <CopyButton value={imageRef(image)} label={`Copy ${short ?? imageRef(image)}`} />
              {badge && <RegistryBadgeView badge={badges[badge]} />}
            </div>
            {cell.images && cell.images.length > 1 && <div className="ui-meta truncate">{image.repo}</div>}
          </div>
        );
      })}
      {cell.artifacts?.map((a) => (
        <div key={`${a.kind}:${a.name}`} className="flex min-w-0 items-center gap-1.5 text-xs" title={a.note ?? a.name}>
          <span className="ui-meta shrink-0">{a.kind === "chart" ? "chart" : "base"}</span>
          <span className="truncate font-mono">
            {`${a.kind === "chart" ? a.name : a.name.replace(/^https?:\/\//, "")} ${a.version ?? "(no version)"}`}
          </span>
          {!a.pinned && <Badge tone="amber">{a.kind === "chart" ? "range" : "moves"}</Badge>}
          {a.promote && promoteFrom && (
            <PromoteButton
              target={{ app, toEnv: env, fromEnv: promoteFrom, artifact: { kind: a.kind, name: a.name } }}
              label={`Promote ${a.kind === "chart" ? "chart" : "remote base"} ${a.name} ${a.promote} from ${promoteFrom} to ${env}`}
              className="ui-button-sm shrink-0"
            >
              {`Promote ${a.promote}`}
            </PromoteButton>
          )}
        </div>
      ))}
      {(cell.relation || cell.drift || cell.problems) && (
        <div className="mx-chips">
          <Relation cell={cell} app={app} env={env} to={relationTo} />
          {cell.drift && relationTo && (
            <Link
              href={compareHref(app, relationTo, env)}
              title={`${cell.drift} difference${cell.drift > 1 ? "s" : ""} from ${relationTo} that ladder.yaml does not allow`}
            >
              <Badge tone="red">{`${cell.drift} drift`}</Badge>
            </Link>
          )}
          {cell.problems && (
            <span title={cell.problems.text}>
              <Badge tone="red">{`${cell.problems.count} warning${cell.problems.count > 1 ? "s" : ""}`}</Badge>
            </span>
          )}
        </div>
      )}
      {change && <LastChange commit={change} tips={tips} />}
      {!cell.promotable && cell.relation === "differs" && cell.belowTagOnly && (
        <span className="text-[11px] text-amber-800 dark:text-amber-300">
          {`${relationTo} runs a tag only: pin a digest to promote it`}
        </span>
      )}
      {cell.open &&
        (cell.open.url ? (
          <a
            href={cell.open.url}
            data-testid={`open-promotion-${app}-${env}`}
            title={cell.open.title}
            className="mx-open hover:underline"
          >
            {cell.open.text}
          </a>
        ) : (
          <span data-testid={`open-promotion-${app}-${env}`} title={cell.open.title} className="mx-open">
            {cell.open.text}
          </span>
        ))}
      {cell.promotable && promoteFrom && (
        <PromoteButton
          target={{ app, toEnv: env, fromEnv: promoteFrom }}
          label={`Promote from ${promoteFrom}: ${app} to ${env}`}
          className="mx-promote"
        >
          {`Promote from ${promoteFrom}`}
          <span aria-hidden="true">↑</span>
        </PromoteButton>
      )}
    </div>
  );
}
