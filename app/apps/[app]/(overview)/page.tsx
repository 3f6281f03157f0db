import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { ImageVersion } from "@/components/matrix/image-version";
import { PromoteButton } from "@/components/promote/promote-button";
import { ReadFailureView } from "@/components/read-failure";
import { CopyButton } from "@/components/ui/copy-button";
import { RelativeTime } from "@/components/ui/relative-time";
import { type AppOverview, getAppOverview } from "@/lib/data/app";
import { describeReadFailure } from "@/lib/data/read-failure";
import { shortDigest } from "@/lib/gitops/image-ref";
import { labelledVersionText } from "@/lib/matrix/environment-matrix";

export const dynamic = "force-dynamic";

type Params = Promise<{ app: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).app) };
}

export default async function AppPage({ params }: { params: Params }) {
  await requireViewer();
  // The layout has decided sign-in, viewers and "no such app" (a real 401/403/404).
  const app = decodeURIComponent((await params).app);
  return (
    <div className="space-y-6">
      <Suspense
        fallback={
          <div role="status" aria-label="Loading app" className="h-96 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
        }
      >
        <AppBody app={app} />
      </Suspense>
    </div>
  );
}

/** What a target is compared with: the first other target of its environment. */
function otherTarget(targets: readonly { name: string }[], name: string): string {
  return targets.find((t) => t.name !== name)?.name ?? name;
}

async function AppBody({ app }: { app: string }) {
  let overview: AppOverview | null;
  try {
    overview = await getAppOverview(app);
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  if (!overview) notFound();
  const envs = overview.environments;
  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            <Link href="/" className="hover:underline">
              Environments
            </Link>{" "}
            / app
          </p>
          <h1 className="text-2xl font-semibold tracking-tight">{overview.app}</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            {overview.format} · {envs.map((e) => e.env).join(" → ")}
          </p>
        </div>
        {envs.length >= 2 && (
          <Link
            href={`/apps/${encodeURIComponent(overview.app)}/compare?from=${encodeURIComponent(envs[envs.length - 2]?.env ?? "")}&to=${encodeURIComponent(envs[envs.length - 1]?.env ?? "")}`}
            className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
          >
            Compare environments
          </Link>
        )}
      </div>

      <div className="grid gap-4" style={{ gridTemplateColumns: `repeat(${Math.max(envs.length, 1)}, minmax(0, 1fr))` }}>
        {envs.map((env) => (
          <section
            key={env.env}
            aria-labelledby={`env-${env.env}`}
            className="min-w-0 rounded-lg border border-zinc-200 dark:border-zinc-800"
          >
            <header className="border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
              <h2 id={`env-${env.env}`} className="font-semibold">
                {env.env}
              </h2>
              <p className="truncate font-mono text-[11px] text-zinc-500 dark:text-zinc-400" title={env.path}>
                {env.path}
              </p>
            </header>
            <div className="space-y-2 px-4 py-3">
              {env.targets && env.images.length > 0 && (
                <p className="text-[11px] text-zinc-500 dark:text-zinc-400">Set for every target:</p>
              )}
              {env.images.map((image) => (
                <div key={image.reference} className="min-w-0">
                  <div className="truncate text-xs text-zinc-500 dark:text-zinc-400" title={`pulls ${image.pull}`}>
                    {image.repository}
                  </div>
                  <ImageVersion image={image} />
                  {image.labels.map((l) => (
                    <p key={l.kind} className="text-[11px] text-amber-800 dark:text-amber-300">
                      {l.reason}
                    </p>
                  ))}
                  <div className="flex items-center gap-1">
                    <span className="truncate font-mono text-[11px] text-zinc-500 dark:text-zinc-400">
                      {image.shortDigest ?? "—"}
                    </span>
                    <CopyButton value={image.reference} label={`Copy ${image.reference}`} />
                  </div>
                  <div className="text-[11px] text-zinc-500 dark:text-zinc-400">
                    set in {image.source.file}:{image.source.line}
                    {image.inherited ? " (inherited from the base)" : ""}
                  </div>
                </div>
              ))}
              {env.targets && (
                <div data-testid={`targets-${env.env}`}>
                  <h3 className="text-xs text-zinc-500 dark:text-zinc-400">
                    <span className="font-medium uppercase tracking-wide">Targets</span>{" "}
                    <span className="font-mono">{env.targetSummary}</span>
                  </h3>
                  <ul className="mt-1 divide-y divide-zinc-100 dark:divide-zinc-800">
                    {env.targets.map((t) => (
                      <li key={t.name} className="py-1.5">
                        <div className="flex items-center justify-between gap-2">
                          <span className="text-sm font-medium">{t.name}</span>
                          <Link
                            href={`/apps/${encodeURIComponent(overview.app)}/compare?from=${encodeURIComponent(`${env.env}/${otherTarget(env.targets ?? [], t.name)}`)}&to=${encodeURIComponent(`${env.env}/${t.name}`)}`}
                            className="text-[11px] text-sky-700 hover:underline dark:text-sky-400"
                          >
                            compare
                          </Link>
                        </div>
                        {t.images.map((i) => (
                          <div key={i.reference} className="font-mono text-[11px] text-zinc-600 dark:text-zinc-300">
                            {labelledVersionText(i)} {i.shortDigest ?? "(tag only)"} · set in {i.source.file}:{i.source.line}
                          </div>
                        ))}
                        <div className="truncate font-mono text-[10px] text-zinc-500 dark:text-zinc-400" title={t.path}>
                          {t.path}
                        </div>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {env.promotableFrom && (
                <PromoteButton
                  target={{ app: overview.app, toEnv: env.env, fromEnv: env.promotableFrom }}
                  label={`Promote from ${env.promotableFrom}: ${overview.app} to ${env.env}`}
                >
                  Promote from {env.promotableFrom} <span aria-hidden="true">↑</span>
                </PromoteButton>
              )}
              {env.warnings.map((w) => (
                <p key={`${w.file}:${w.line}:${w.message}`} className="text-xs text-red-700 dark:text-red-400">
                  {w.file}:{w.line}: {w.message}
                </p>
              ))}
            </div>
            <div className="border-t border-zinc-200 px-4 py-3 dark:border-zinc-800">
              <h3 className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Timeline</h3>
              {env.timelineError && <p className="mt-2 text-xs text-red-700 dark:text-red-400">{env.timelineError}</p>}
              <ol className="mt-2 space-y-3" data-testid={`timeline-${env.env}`}>
                {env.timeline?.segments.map((segment) => (
                  <li key={segment.commit} className="relative border-l-2 border-zinc-200 pl-3 dark:border-zinc-700">
                    <span
                      aria-hidden="true"
                      className={`absolute -left-[5px] top-1 h-2 w-2 rounded-full ${segment.to === null ? "bg-emerald-500" : "bg-zinc-400"}`}
                    />
                    <div className="font-mono text-xs">
                      {segment.deployed ? (
                        <>
                          {segment.tag ?? "untagged"}{" "}
                          {segment.digest ? `@${shortDigest(segment.digest, { algorithm: false })}` : "(tag only)"}
                        </>
                      ) : (
                        "not deployed"
                      )}
                    </div>
                    <div className="text-[11px] text-zinc-500 dark:text-zinc-400">
                      <RelativeTime date={segment.from} />
                      {segment.to ? (
                        <>
                          {" "}
                          until <RelativeTime date={segment.to} />
                        </>
                      ) : (
                        " · running now"
                      )}
                    </div>
                    {segment.to !== null && segment.deployed && segment.digest && segment.digest !== env.images[0]?.digest && (
                      <PromoteButton
                        target={{ app: overview.app, toEnv: env.env, digest: segment.digest, rollback: true }}
                        label={`Roll back ${overview.app} in ${env.env} to ${segment.tag ?? shortDigest(segment.digest, { algorithm: false })}`}
                        className="float-right rounded border border-amber-400 px-1.5 py-0.5 text-[11px] text-amber-900 hover:bg-amber-50 dark:border-amber-700 dark:text-amber-200 dark:hover:bg-amber-950"
                      >
                        Roll back
                      </PromoteButton>
                    )}
                    <div className="truncate text-[11px] text-zinc-500 dark:text-zinc-400" title={segment.message}>
                      {segment.url ? (
                        <a href={segment.url} className="font-mono hover:underline">
                          {segment.commit.slice(0, 7)}
                        </a>
                      ) : (
                        <span className="font-mono">{segment.commit.slice(0, 7)}</span>
                      )}{" "}
                      {segment.author} · {segment.message.split("\n")[0]}
                    </div>
                  </li>
                ))}
              </ol>
              {env.timeline?.truncated && (
                <p className="mt-2 text-[11px] text-zinc-500 dark:text-zinc-400">
                  Older history not shown (last {env.timeline.commitsChecked} commits).
                </p>
              )}
            </div>
          </section>
        ))}
      </div>
    </>
  );
}
