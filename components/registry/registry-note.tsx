import { registryEvidenceEnabled } from "@/lib/data/registry";

/** Said once above the matrix when registry evidence is off, with how to turn it on. */
export function RegistryEvidenceNote() {
  if (registryEvidenceEnabled()) return null;
  return (
    <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="registry-evidence-off">
      Registry evidence is off: set <code>LADDER_REGISTRIES</code> to the registries Ladder may read (for example{" "}
      <code>ghcr.io</code>; see docs/registry.md). The demo turns it on by itself where{" "}
      <code>apt-get install -y docker-registry skopeo</code> has been run.
    </p>
  );
}
