/** The header row every data table in Ladder uses: small caps, muted, one scope="col" cell a column. */
export function TableHead({
  columns,
}: {
  columns: readonly (string | { label: string; title?: string; srOnly?: boolean; className?: string })[];
}) {
  return (
    <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
      <tr>
        {columns.map((column) => {
          const c = typeof column === "string" ? { label: column } : column;
          return (
            <th key={c.label} scope="col" title={c.title} className={`px-3 py-2 font-medium ${c.className ?? ""}`}>
              {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
