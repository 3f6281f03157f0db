import { diffEnvironments } from "../../../lib/gitops/overlay-diff";
import { scanRepository } from "../../../lib/gitops/scan";
import { type Command, requireFlag } from "../command";
import { snapshotOf } from "../open-dir";

export const diffCommand: Command = {
  name: "diff",
  summary: "compare two environments of an app (images, own files, semantic drift)",
  usage: "diff <dir> --app A --from E1 --to E2 [--json]",
  async run(args, io) {
    const app = requireFlag(args, "app");
    const from = requireFlag(args, "from");
    const to = requireFlag(args, "to");
    const snap = await snapshotOf(args.positional[0]);
    const d = await diffEnvironments(snap, await scanRepository(snap), app, from, to);
    if (args.flags.has("json")) {
      io.out(JSON.stringify(d, null, 2));
      return 0;
    }
    const out: string[] = [`${app}: ${from} → ${to}`, "", "images:"];
    for (const i of d.images)
      out.push(
        `  ${i.relation.padEnd(12)} ${i.repository}  ${i.from ? `${i.from.tag ?? ""}@${i.from.digest ?? "-"}` : "–"}  →  ${i.to ? `${i.to.tag ?? ""}@${i.to.digest ?? "-"}` : "–"}`,
      );
    out.push("", "semantic differences:");
    for (const s of d.semantic)
      out.push(
        `  [${s.classification}] ${s.resource} ${s.keyPath} ${s.change}: ${JSON.stringify(s.from ?? null)} → ${JSON.stringify(s.to ?? null)} (${s.reason})`,
      );
    if (d.semantic.length === 0) out.push("  none");
    out.push(
      "",
      `thinness: ${Object.entries(d.thinness)
        .map(([e, t]) => `${e} ${t.ownLines} own / ${t.sharedLines} shared lines`)
        .join("; ")}`,
      "",
    );
    for (const f of d.files) if (f.status !== "same") out.push(f.unifiedDiff);
    out.push(`${d.driftCount} drift finding(s)`);
    io.out(out.join("\n"));
    return 0;
  },
};
