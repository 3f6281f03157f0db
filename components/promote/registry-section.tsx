"use client";

import type { ReactNode } from "react";
import type { RegistryEvidence } from "@/lib/registry/evidence-types";
import { imageStatus, signatureStatus } from "../registry/evidence-view";
import { Badge } from "../ui/badge";
import { RelativeTime } from "../ui/relative-time";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

/**
 * What the registry says of the digest promoted: found / not found / unreachable / off, created,
 * platforms, the source commit (linked when the labels name a repository Ladder knows the commit
 * page of), the version, and the signature.
 */
export function RegistrySection({ evidence }: { evidence: RegistryEvidence }) {
  const { image, signature } = evidence;
  const i = imageStatus(image);
  const s = signatureStatus(signature);
  const found = image.state === "found" ? image : undefined;
  const source = found?.source;
  return (
    <section aria-labelledby="registry-heading" data-testid="registry-evidence" data-state={image.state}>
      <h3 id="registry-heading" className="mb-1.5 text-sm font-medium">
        Registry
      </h3>
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-sm">
        <Row label="Image">
          <span data-testid="registry-image" className="inline-flex flex-wrap items-center gap-2">
            <Badge tone={i.tone}>{i.label}</Badge>
            <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">{i.detail}</span>
          </span>
        </Row>
        {found?.created && (
          <Row label="Created">
            <span data-testid="registry-created" title={found.created}>
              <RelativeTime date={found.created} /> <span className="font-mono text-xs text-zinc-500">({found.created})</span>
            </span>
          </Row>
        )}
        {found && found.platforms.length > 0 && (
          <Row label="Platforms">
            <span className="font-mono text-xs" data-testid="registry-platforms">
              {found.platforms.join(", ")}
            </span>
          </Row>
        )}
        {source?.revision ? (
          <Row label="Source">
            <span data-testid="registry-source" className="font-mono text-xs">
              {source.repositoryUrl ?? source.url ?? ""}
              {source.repositoryUrl || source.url ? " @ " : ""}
              {source.commitUrl ? (
                <a className="underline" href={source.commitUrl} rel="noreferrer">
                  {source.revision.slice(0, 12)}
                </a>
              ) : (
                source.revision.slice(0, 12)
              )}
            </span>
          </Row>
        ) : source?.url ? (
          <Row label="Source">
            <span data-testid="registry-source" className="font-mono text-xs">
              {source.url}
            </span>
          </Row>
        ) : null}
        {source?.version && (
          <Row label="Version">
            <span className="font-mono text-xs">{source.version}</span>
          </Row>
        )}
        {found?.incomplete && (
          <Row label="Note">
            <span className="text-amber-800 dark:text-amber-300">{found.incomplete}</span>
          </Row>
        )}
        {image.state !== "skipped" && (
          <Row label="Signature">
            <span
              data-testid="registry-signature"
              data-state={signature.state}
              className="inline-flex flex-wrap items-center gap-2"
            >
              <Badge tone={s.tone}>{s.label}</Badge>
              {s.detail && <span className="text-xs text-zinc-600 dark:text-zinc-400">{s.detail}</span>}
            </span>
          </Row>
        )}
      </dl>
    </section>
  );
}
