"use client";

import dynamic from "next/dynamic";
import { createContext, type ReactNode, useContext, useMemo, useState } from "react";
import type { BundleTarget } from "../promote/bundle-dialog";

/** Loaded when first opened, like the Promote dialog: not part of the matrix's own JavaScript. */
const BundleDialog = dynamic(() => import("../promote/bundle-dialog").then((m) => m.BundleDialog), { ssr: false });

interface Selection {
  selected: ReadonlySet<string>;
  toggle(app: string): void;
}

const SelectionContext = createContext<Selection | null>(null);

/**
 * Several apps promoted in one pull request: a checkbox per matrix row, and a bar above the
 * matrix to pick the environment, select what is waiting for it, and open the bundle dialog.
 * `waiting` lists, per environment, the apps on this page whose feeding environment runs a
 * digest the environment does not.
 */
export function BundleSelection({
  environments,
  waiting,
  children,
}: {
  environments: readonly string[];
  waiting: Readonly<Record<string, readonly string[]>>;
  children: ReactNode;
}) {
  const targets = environments.slice(1);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [env, setEnv] = useState(() => [...targets].reverse().find((e) => (waiting[e]?.length ?? 0) > 0) ?? targets.at(-1) ?? "");
  const [dialog, setDialog] = useState<BundleTarget | null>(null);
  const selection = useMemo<Selection>(
    () => ({
      selected,
      toggle: (app) =>
        setSelected((old) => {
          const next = new Set(old);
          if (!next.delete(app)) next.add(app);
          return next;
        }),
    }),
    [selected],
  );
  if (targets.length === 0) return <>{children}</>;
  const waitingHere = waiting[env] ?? [];
  const apps = [...selected];
  return (
    <SelectionContext.Provider value={selection}>
      <section
        aria-label="Promote several apps"
        className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm dark:border-zinc-800 dark:bg-zinc-900"
      >
        <label className="flex items-center gap-1.5">
          <span className="text-zinc-600 dark:text-zinc-400">Promote to</span>
          <select
            value={env}
            onChange={(e) => setEnv(e.target.value)}
            className="ui-select-sm"
            aria-label="Environment to promote to"
          >
            {targets.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="ui-button-sm"
          disabled={waitingHere.length === 0}
          onClick={() => setSelected(new Set(waitingHere))}
        >
          Select all waiting for {env} ({waitingHere.length})
        </button>
        {apps.length > 0 && (
          <button type="button" className="ui-button-sm" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        )}
        <span className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            className="ui-button-primary-sm"
            disabled={apps.length === 0}
            aria-haspopup="dialog"
            onClick={() => setDialog({ toEnv: env, apps })}
          >
            Promote {apps.length} app{apps.length === 1 ? "" : "s"} to {env}
          </button>
          <button
            type="button"
            className="ui-button-sm"
            aria-haspopup="dialog"
            title={`Every app in the repository whose feeding environment runs a digest ${env} does not, in one pull request`}
            onClick={() => setDialog({ toEnv: env, apps: [], waiting: true })}
          >
            Promote everything waiting for {env}
          </button>
        </span>
      </section>
      {children}
      {dialog && (
        <BundleDialog
          target={dialog}
          onClose={(done) => {
            setDialog(null);
            if (done) setSelected(new Set());
          }}
        />
      )}
    </SelectionContext.Provider>
  );
}

/** The row's checkbox: selects the app for the bundle (absent outside a BundleSelection). */
export function BundleCheckbox({ app }: { app: string }) {
  const selection = useContext(SelectionContext);
  if (!selection) return null;
  return (
    <input
      type="checkbox"
      className="mr-1.5 align-middle"
      aria-label={`Select ${app} for a bundle`}
      checked={selection.selected.has(app)}
      onChange={() => selection.toggle(app)}
    />
  );
}
