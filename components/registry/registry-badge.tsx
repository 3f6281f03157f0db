import { cache } from "react";
import { getRegistryEvidence, registryEvidenceEnabled, registryViewOf } from "@/lib/data/registry";
import { Badge } from "../ui/badge";
import { cellBadge } from "./evidence-view";

/** One budget and one set of keys per request, shared by every badge of the page. */
const pageView = cache(registryViewOf);

/**
 * A matrix cell's registry badge for one pinned image: signed, unsigned, not in registry (see
 * cellBadge). An async server component that each cell renders inside its own <Suspense>, so
 * the matrix is drawn before any registry answers.
 */
export async function RegistryBadge({ repository, digest }: { repository: string; digest: string }) {
  if (!registryEvidenceEnabled()) return null;
  const evidence = await getRegistryEvidence(repository, digest, await pageView());
  const badge = evidence ? cellBadge(evidence) : undefined;
  if (!badge) return null;
  return (
    <span data-testid="registry-badge" data-state={badge.label} className="shrink-0">
      <Badge tone={badge.tone} title={badge.title}>
        {badge.label}
      </Badge>
    </span>
  );
}
