/**
 * Writing the suggested ladder.yaml (suggest-ladder-yaml.ts decides what it says): the entries
 * as YAML, scalars quoted only where they would read back differently, notes as comments above
 * the entries they concern, and the header saying what was guessed and what the file cannot say.
 */
import type { AppFormat, ScanResult } from "./types";

export interface SuggestionNote {
  /** The app the note is about; absent for the whole file. */
  app?: string;
  message: string;
}

export interface HelmEntry {
  chart?: string;
  valueFiles?: string[];
  images?: { repository: string; tag?: string; digest?: string; registry?: string }[];
}

/** One `apps:` entry of the file, and the detected apps it stands for. */
export interface Entry {
  /** Absent for an `{app}` pattern entry. */
  name?: string;
  apps: string[];
  format: AppFormat;
  path?: string;
  paths?: Record<string, string>;
  envPath?: string;
  environments?: string[];
  helm?: HelmEntry;
}

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/** A YAML scalar: plain when it reads back as the same string, else double-quoted. */
function scalar(s: string): string {
  return /^[A-Za-z_./][A-Za-z0-9_./{}-]*$/.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

/** In a flow sequence `{`, `}` and `,` are syntax, so an item holding one is quoted. */
const flow = (items: readonly string[]) =>
  `[${items.map((i) => (/[{},[\]]/.test(i) ? JSON.stringify(i) : scalar(i))).join(", ")}]`;

function comment(text: string, indent = ""): string[] {
  return text.split("\n").map((line) => `${indent}#${line ? ` ${line}` : ""}`);
}

function renderEntry(e: Entry, notes: readonly SuggestionNote[]): string[] {
  const lines: string[] = [];
  for (const n of notes) lines.push(...comment(`${n.app}: ${n.message}`, "  "));
  const fields: string[] = [];
  if (e.name !== undefined) fields.push(`name: ${scalar(e.name)}`);
  fields.push(`format: ${e.format}`);
  if (e.path !== undefined) fields.push(`path: ${scalar(e.path)}`);
  if (e.paths) {
    fields.push("paths:");
    for (const [env, p] of Object.entries(e.paths)) fields.push(`  ${scalar(env)}: ${scalar(p)}`);
  }
  if (e.envPath !== undefined) fields.push(`envPath: ${scalar(e.envPath)}`);
  if (e.environments) fields.push(`environments: ${flow(e.environments)}`);
  if (e.helm) {
    fields.push("helm:");
    if (e.helm.chart !== undefined) fields.push(`  chart: ${scalar(e.helm.chart)}`);
    if (e.helm.valueFiles) fields.push(`  valueFiles: ${flow(e.helm.valueFiles)}`);
    if (e.helm.images) {
      fields.push("  images:");
      for (const k of e.helm.images) {
        const keys = (["repository", "tag", "digest", "registry"] as const).filter((key) => k[key] !== undefined);
        for (const [i, key] of keys.entries()) fields.push(`    ${i === 0 ? "- " : "  "}${key}: ${scalar(k[key] as string)}`);
      }
    }
  }
  for (const [i, f] of fields.entries()) lines.push(`${i === 0 ? "  - " : "    "}${f}`);
  return lines;
}

export function render(
  scan: ScanResult,
  envs: readonly string[],
  targets: ReadonlyMap<string, string[]>,
  entries: readonly Entry[],
  notes: readonly SuggestionNote[],
  omitted: readonly SuggestionNote[],
): string {
  const lines: string[] = [];
  const from = scan.layout.source === "ladder.yaml" ? "the ladder.yaml it read" : "the layout it detected";
  lines.push(...comment(`ladder.yaml written by Ladder from ${from} at commit ${scan.commit.slice(0, 7)}.`));
  lines.push(...comment("Commit it at the repository root: Ladder then reads this file instead of guessing."));
  if (scan.layout.guessed.length > 0) {
    lines.push("#", ...comment("What Ladder guessed, and this file now states:"));
    for (const g of scan.layout.guessed) lines.push(...comment(`  - ${g.replaceAll("\n", " ")}`));
  }
  // Notes on an app sit above its entry; the header has the rest.
  const inEntries = new Set(entries.flatMap((e) => e.apps));
  const loose = [...notes.filter((n) => !n.app || !inEntries.has(n.app)), ...omitted];
  if (loose.length > 0) {
    lines.push("#", ...comment("Not described by this file:"));
    for (const n of loose) lines.push(...comment(`  - ${n.app ? `${n.app}: ` : ""}${n.message}`));
  }
  if (notes.some((n) => n.app && inEntries.has(n.app)))
    lines.push("#", ...comment("Entries with a comment above them read their app differently than detection did."));
  lines.push(
    "#",
    ...comment("Policy is yours to add per environment: soak, promoters, allowedDrift, freeze (docs/ladder-yaml.md)."),
  );
  lines.push("version: 1", "environments:");
  for (const env of envs) {
    const t = targets.get(env);
    lines.push(t ? `  - name: ${scalar(env)}\n    targets: ${flow(t)}` : `  - ${scalar(env)}`);
  }
  lines.push("apps:");
  for (const e of entries)
    lines.push(
      ...renderEntry(
        e,
        notes.filter((n) => n.app && e.apps.includes(n.app)),
      ),
    );
  return `${lines.join("\n")}\n`;
}
