import Link from "next/link";
import type { EnvironmentMatrix } from "@/lib/data/matrix";
import type { OpenPromotionView } from "@/lib/data/promotions";
import type { LockRecord } from "@/lib/promotion/locks";
import { LockControls } from "../locks/lock-controls";
import { BundleCheckbox } from "./bundle-selection";
import { GridNavigation } from "./grid-navigation";
import { MatrixCellView } from "./matrix-cell";

export function MatrixTable({
  matrix,
  locks = {},
  openPromotions = {},
}: {
  matrix: EnvironmentMatrix;
  locks?: Record<string, LockRecord[]>;
  /** By `${app}|${env}` (lib/data/promotions.ts getOpenPromotions). */
  openPromotions?: Record<string, OpenPromotionView>;
}) {
  if (matrix.rows.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
        {matrix.totalApps === 0 ? "No apps found in this repository." : "No app matches this search or filter."}
      </p>
    );
  }
  return (
    <GridNavigation>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        {/* Every column keeps room for a tag and a digest: many environments scroll sideways
            (the app column stays put) instead of truncating what runs. */}
        <table
          className="w-full table-fixed border-collapse text-left"
          style={{ minWidth: `${11 + matrix.environments.length * 12}rem` }}
        >
          <caption className="sr-only">
            Images per app and environment in {matrix.repository} at {matrix.commit.slice(0, 7)}
          </caption>
          <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="sticky left-0 z-10 w-44 bg-zinc-50 px-3 py-2 font-medium dark:bg-zinc-900">
                App
              </th>
              {matrix.environments.map((env, i) => (
                <th key={env} scope="col" className="px-3 py-2 font-medium">
                  {i > 0 && (
                    <span aria-hidden="true" className="mr-1 text-zinc-400">
                      →
                    </span>
                  )}
                  {env} <LockControls env={env} locks={locks[env] ?? []} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {matrix.rows.map((row) => (
              <tr key={row.app} className="align-top">
                <th scope="row" className="sticky left-0 z-10 bg-white px-3 py-2.5 font-medium dark:bg-zinc-950">
                  <BundleCheckbox app={row.app} />
                  <Link
                    href={`/apps/${encodeURIComponent(row.app)}`}
                    data-grid-cell
                    className="rounded hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500"
                  >
                    {row.app}
                  </Link>
                  <div className="mt-0.5 text-[11px] font-normal text-zinc-500 dark:text-zinc-400">
                    {row.format}
                    {row.waiting > 0 && (
                      <span className="ml-1 text-indigo-700 dark:text-indigo-400">· {row.waiting} waiting</span>
                    )}
                  </div>
                </th>
                {matrix.environments.map((env, i) => (
                  <td key={env} className="border-l border-zinc-100 dark:border-zinc-800/60">
                    <MatrixCellView
                      cell={row.cells[env] ?? null}
                      app={row.app}
                      promoteFrom={matrix.environments[i - 1]}
                      below={row.cells[matrix.environments[i - 1] ?? ""] ?? null}
                      openPromotion={openPromotions[`${row.app}|${env}`]}
                    />
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
