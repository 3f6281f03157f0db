import type { Metadata } from "next";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { ReadFailureView } from "@/components/read-failure";
import { Badge } from "@/components/ui/badge";
import { CopyButton } from "@/components/ui/copy-button";
import { TableHead } from "@/components/ui/table-head";
import { getLayoutView, type LayoutImage, type LayoutView } from "@/lib/data/layout";
import { describeReadFailure } from "@/lib/data/read-failure";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Layout" };

export default async function LayoutPage() {
  await requireViewer();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Layout</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          How Ladder reads this repository: where the rows and columns come from, what it guessed, which file sets each image, and
          the ladder.yaml that states it.
        </p>
      </div>
      <Suspense
        fallback={
          <div role="status" aria-label="Loading layout" className="h-64 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
        }
      >
        <LayoutReport />
      </Suspense>
    </div>
  );
}

const section = "space-y-2";
const heading = "text-lg font-semibold tracking-tight";
const muted = "text-sm text-zinc-600 dark:text-zinc-400";

async function LayoutReport() {
  let layout: LayoutView;
  try {
    layout = await getLayoutView();
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  const cells = layout.apps.reduce((n, a) => n + a.cells.length, 0);
  return (
    <>
      <Source layout={layout} cells={cells} />
      {layout.apps.length === 0 && (
        <p
          data-testid="layout-empty"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950/40"
        >
          Ladder found no app it can place in an environment here. What it looked at, what it set aside and every warning are
          below. A ladder.yaml naming each app&apos;s paths (see docs/ladder-yaml.md) tells it where to look.
        </p>
      )}
      {layout.guessed.length > 0 && (
        <section className={section} aria-labelledby="guessed">
          <h2 id="guessed" className={heading}>
            What Ladder guessed
          </h2>
          <ul data-testid="layout-guessed" className={`list-disc space-y-1 pl-5 ${muted}`}>
            {layout.guessed.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </section>
      )}
      {layout.ignored.length > 0 && (
        <section className={section} aria-labelledby="ignored">
          <h2 id="ignored" className={heading}>
            Set aside
          </h2>
          <ul data-testid="layout-ignored" className="space-y-1 text-sm">
            {layout.ignored.map((i) => (
              <li key={`${i.path}|${i.reason}`}>
                <code className="font-mono text-xs">{i.path}</code> <span className={muted}>— {i.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {layout.apps.length > 0 && <Cells layout={layout} />}
      <SuggestedLadderYaml layout={layout} />
      <Warnings layout={layout} />
    </>
  );
}

function Source({ layout, cells }: { layout: LayoutView; cells: number }) {
  const status = layout.ladderYaml;
  return (
    <section className={section} aria-labelledby="source">
      <h2 id="source" className={heading}>
        Source
      </h2>
      <p data-testid="layout-source" className="flex flex-wrap items-center gap-2 text-sm">
        {status.state === "invalid" ? (
          <Badge tone="red">{status.file} is invalid</Badge>
        ) : layout.source === "ladder.yaml" ? (
          <Badge tone="green">from ladder.yaml</Badge>
        ) : (
          <Badge tone="amber">detected — no ladder.yaml</Badge>
        )}
        <span className={muted}>
          {layout.repository} @ {layout.branch}, commit <code className="font-mono text-xs">{layout.commit.slice(0, 7)}</code>:{" "}
          {layout.apps.length} apps × {layout.environments.length} environments ({cells} cells
          {layout.environments.length > 0 ? `: ${layout.environments.join(" → ")}` : ""}). Read {layout.stats.yamlFiles} YAML
          files of {layout.stats.files} in {layout.stats.millis} ms; other files are not opened.
        </span>
      </p>
      {status.state === "invalid" && (
        <ul className="list-disc pl-5 font-mono text-xs text-red-700 dark:text-red-300">
          {status.errors.map((e) => (
            <li key={`${e.line}|${e.message}`}>
              {e.file}:{e.line}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ImageLines({ images }: { images: LayoutImage[] }) {
  if (images.length === 0) return <span className={muted}>no image resolved</span>;
  return (
    <ul className="space-y-1">
      {images.map((i) => (
        <li key={`${i.reference}|${i.file}|${i.line}`}>
          <span className="break-all font-mono text-xs">{i.reference}</span>
          <span className="block text-xs text-zinc-500">
            set in <code className="font-mono">{`${i.file}:${i.line}`}</code> ({i.setBy}
            {i.inherited ? ", inherited from a shared base" : ""})
          </span>
        </li>
      ))}
    </ul>
  );
}

function Cells({ layout }: { layout: LayoutView }) {
  return (
    <section className={section} aria-labelledby="cells">
      <h2 id="cells" className={heading}>
        Which files set what
      </h2>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Per app and environment: the path read and the files that set each image</caption>
          <TableHead columns={["App", "Environment", "Path", "Images and where they are set", "Files"]} />
          <tbody className="divide-y divide-zinc-200 align-top dark:divide-zinc-800">
            {layout.apps.flatMap((app) =>
              app.cells.map((cell, i) => (
                <tr key={`${app.name}|${cell.env}`} data-testid={`layout-cell-${app.name}-${cell.env}`}>
                  <td className="px-3 py-2 font-medium">
                    {i === 0 && (
                      <>
                        {app.name} <span className="text-xs font-normal text-zinc-500">{app.format}</span>
                      </>
                    )}
                  </td>
                  <td className="px-3 py-2">{cell.env}</td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {cell.path}
                    {cell.extraPaths.map((p) => (
                      <div key={p} className="text-zinc-500">
                        + {p}
                      </div>
                    ))}
                  </td>
                  <td className="px-3 py-2">
                    {cell.targets ? (
                      <ul className="space-y-2">
                        {cell.targets.map((t) => (
                          <li key={t.name}>
                            <span className="text-xs font-medium">{t.name}</span>{" "}
                            <code className="font-mono text-xs text-zinc-500">{t.path}</code>
                            <ImageLines images={t.images} />
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <ImageLines images={cell.images} />
                    )}
                    {cell.unresolved.map((u) => (
                      <div key={u.reference} className="text-xs text-amber-700 dark:text-amber-400">
                        {u.reference}: {u.reason}
                      </div>
                    ))}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    <details>
                      <summary className="cursor-pointer">
                        {cell.ownFiles.length} own · {cell.sharedFiles.length} shared
                        {cell.warnings > 0 ? ` · ${cell.warnings} warnings` : ""}
                      </summary>
                      <ul className="mt-1 space-y-0.5 font-mono">
                        {cell.ownFiles.map((f) => (
                          <li key={`own|${f}`}>{f}</li>
                        ))}
                        {cell.sharedFiles.map((f) => (
                          <li key={`shared|${f}`} className="text-zinc-500">
                            {f} (shared)
                          </li>
                        ))}
                      </ul>
                    </details>
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SuggestedLadderYaml({ layout }: { layout: LayoutView }) {
  const { suggestion } = layout;
  const fromFile = layout.source === "ladder.yaml" && layout.ladderYaml.state === "valid";
  return (
    <section id="ladder-yaml" className={section} aria-labelledby="ladder-yaml-title">
      <h2 id="ladder-yaml-title" className={heading}>
        {fromFile ? "ladder.yaml" : "The ladder.yaml Ladder would write"}
      </h2>
      {fromFile ? (
        <p className={muted}>Rows and columns come from the repository&apos;s own ladder.yaml; nothing here is guessed.</p>
      ) : (
        <p className={muted}>
          Written from what Ladder detected at {suggestion.commit.slice(0, 7)}. Commit it as <code>ladder.yaml</code> at the
          repository root and this page says &ldquo;from ladder.yaml&rdquo;: the same apps, environments and images, now stated
          rather than guessed, ready for policy (soak, promoters, allowed drift).
        </p>
      )}
      {[...suggestion.approximations, ...suggestion.omitted].length > 0 && (
        <ul data-testid="ladder-yaml-notes" className="list-disc space-y-1 pl-5 text-sm text-amber-800 dark:text-amber-300">
          {[...suggestion.approximations, ...suggestion.omitted].map((n) => (
            <li key={`${n.app ?? ""}|${n.message}`}>
              {n.app && <span className="font-medium">{n.app}: </span>}
              {n.message}
            </li>
          ))}
        </ul>
      )}
      {suggestion.text && !fromFile && (
        <div className="relative">
          <div className="absolute right-2 top-2">
            <CopyButton value={suggestion.text} label="Copy ladder.yaml" />
          </div>
          <pre
            data-testid="suggested-ladder-yaml"
            className="max-h-[32rem] overflow-auto rounded-lg border border-zinc-200 bg-zinc-50 p-4 pr-12 font-mono text-xs dark:border-zinc-800 dark:bg-zinc-900"
          >
            {suggestion.text}
          </pre>
        </div>
      )}
    </section>
  );
}

function Warnings({ layout }: { layout: LayoutView }) {
  if (layout.warnings.length === 0) return null;
  const shown = layout.warnings.slice(0, 500);
  return (
    <section className={section} aria-labelledby="warnings">
      <h2 id="warnings" className={heading}>
        Warnings ({layout.warnings.length})
      </h2>
      <ul data-testid="layout-warnings" className="space-y-1 font-mono text-xs">
        {shown.map((w) => (
          <li key={`${w.file}:${w.line}:${w.message}`}>
            {w.file}:{w.line}: {w.message}
          </li>
        ))}
      </ul>
      {layout.warnings.length > shown.length && (
        <p className={muted}>… and {layout.warnings.length - shown.length} more (the CLI lists them all: ladder scan --json).</p>
      )}
    </section>
  );
}
