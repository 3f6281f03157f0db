import { shortDigest } from "../../../lib/gitops/image-ref";
import { ladderYamlRefusal } from "../../../lib/gitops/ladder-yaml-status";
import { scanRepository } from "../../../lib/gitops/scan";
import type { ScanResult } from "../../../lib/gitops/types";
import type { Command } from "../command";
import { snapshotOf } from "../open-dir";

function short(i: { tag: string | null; digest: string | null; repository: string }): string {
  const name = i.repository.split("/").pop() ?? i.repository;
  return `${name}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${shortDigest(i.digest)}…` : ""}`;
}

/** A plain-text matrix: one row per app, one column per environment. */
export function formatMatrix(scan: ScanResult): string {
  const header = ["app", ...scan.environments];
  const rows = scan.apps.map((a) => [
    a.name,
    ...scan.environments.map((e) => {
      const c = a.environments[e];
      if (!c) return "–";
      const parts = c.images.map(short);
      if (c.unresolved.length) parts.push(`?${c.unresolved.length}`);
      return parts.join(" ") || "(none)";
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  if (scan.warnings.length) {
    out.push("", `${scan.warnings.length} warning(s):`);
    for (const w of scan.warnings.slice(0, 50)) out.push(`  ${w.file}:${w.line}: ${w.message}`);
    if (scan.warnings.length > 50) out.push(`  … ${scan.warnings.length - 50} more (use --json)`);
  }
  if (scan.layout.ladderYaml.state === "invalid")
    out.push(
      "",
      `${scan.layout.ladderYaml.file} is INVALID: promotions, rollbacks, locks and unlocks are refused until it is fixed`,
    );
  if (scan.layout.source === "detected")
    out.push(
      "",
      "layout (detected):",
      ...scan.layout.guessed.map((g) => `  ${g}`),
      ...scan.layout.ignored.map((i) => `  ignored ${i.path}: ${i.reason}`),
    );
  return out.join("\n");
}

export const scanCommand: Command = {
  name: "scan",
  summary: "show which image every app runs in every environment",
  usage: "scan <dir> [--json] [--render] [--allow-invalid-config]",
  async run(args, io) {
    const scan = await scanRepository(await snapshotOf(args.positional[0]), { render: args.flags.has("render") });
    if (args.flags.has("json")) {
      const { environments, apps, warnings, ...rest } = scan;
      io.out(JSON.stringify({ environments, apps, warnings, ...rest }, null, 2));
    } else io.out(formatMatrix(scan));
    // An invalid ladder.yaml is an error, not a detected layout: a pipeline must not carry on as if
    // the repository had no policy. --allow-invalid-config reads what runs anyway (exit 0).
    const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
    if (refusal && !args.flags.has("allow-invalid-config")) {
      io.err(`scan: ${refusal} (pass --allow-invalid-config to scan anyway)`);
      return 1;
    }
    return 0;
  },
};
