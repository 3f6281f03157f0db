import type { SemanticChange } from "@/lib/gitops/overlay-diff";
import { Badge } from "../ui/badge";
import { TableHead } from "../ui/table-head";

function show(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function SemanticTable({ changes, from, to }: { changes: SemanticChange[]; from: string; to: string }) {
  if (changes.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No differences: both environments build the same objects.</p>;
  }
  const sorted = [...changes].sort((a, b) => (a.classification === b.classification ? 0 : a.classification === "drift" ? -1 : 1));
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm">
        <TableHead columns={["Kind", "Where", from, to, "Why"]} />
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {sorted.map((c) => (
            <tr
              key={`${c.resource}|${c.keyPath}|${c.change}`}
              data-testid="semantic-change"
              data-classification={c.classification}
            >
              <td className="px-3 py-2">
                {c.classification === "drift" ? <Badge tone="red">drift</Badge> : <Badge tone="gray">expected</Badge>}
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                <div>{c.resource}</div>
                <div className="text-zinc-500 dark:text-zinc-400">
                  {c.keyPath} <span className="font-sans">({c.change})</span>
                </div>
              </td>
              <td className="max-w-64 truncate px-3 py-2 font-mono text-xs" title={show(c.from)}>
                {show(c.from)}
              </td>
              <td className="max-w-64 truncate px-3 py-2 font-mono text-xs" title={show(c.to)}>
                {show(c.to)}
              </td>
              <td className="px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">{c.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
