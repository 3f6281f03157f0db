/** A unified diff as text, lines coloured by their first character. Content is text, never HTML. */
export function UnifiedDiff({ diff }: { diff: string }) {
  // Numbered once: diff lines are positional and never reordered.
  const lines = diff
    .replace(/\n$/, "")
    .split("\n")
    // createTwoFilesPatch's "=====" separator says nothing a reader needs.
    .filter((text) => !/^={10,}$/.test(text))
    .map((text, number) => ({ text, number }));
  return (
    <pre className="max-h-64 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs leading-5 dark:border-zinc-800 dark:bg-zinc-900">
      {lines.map(({ text: line, number }) => {
        const tone =
          line.startsWith("+") && !line.startsWith("+++")
            ? "bg-emerald-100 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100"
            : line.startsWith("-") && !line.startsWith("---")
              ? "bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-100"
              : line.startsWith("@@")
                ? "text-sky-800 dark:text-sky-300"
                : "text-zinc-700 dark:text-zinc-300";
        return (
          <div
            key={number}
            className={`whitespace-pre px-1 ${tone}`}
            data-diff-line={/^[+-](?![+-]{2} )/.test(line) ? line[0] : undefined}
          >
            {line || " "}
          </div>
        );
      })}
    </pre>
  );
}
