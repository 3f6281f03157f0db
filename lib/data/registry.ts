/**
 * Registry evidence as the pages read it: a page view holds one request budget and one set of
 * signing keys (`registryViewOf`; the page layer keeps one per request), so a matrix of hundreds
 * of digests costs at most the budget's requests on a cold cache and later views find them
 * cached (docs/registry.md). Never throws: evidence is information beside the matrix, and its
 * failures are logged.
 */
import "server-only";
import { scanContext } from "../gitops/scan";
import { type RegistryEvidence, type RequestBudget, registryReader, type SigningKey, signingKeysOf } from "../registry";
import { getRepositoryView } from "./repository-view";

export interface RegistryView {
  budget: RequestBudget;
  keys: readonly SigningKey[];
}

/** Whether registry evidence is on (LADDER_REGISTRIES is not `off`). */
export function registryEvidenceEnabled(): boolean {
  return registryReader().enabled;
}

/** A page view's budget and ladder.yaml's signing keys at the branch head. */
export async function registryViewOf(): Promise<RegistryView> {
  const budget = registryReader().budget();
  try {
    return { budget, keys: signingKeysOf(scanContext((await getRepositoryView()).scan)?.config) };
  } catch (error) {
    // The matrix shows the read failure itself; without keys, signatures read "not verified".
    console.error("reading ladder.yaml's signing keys for registry evidence failed", error);
    return { budget, keys: [] };
  }
}

/** What the registry says of `repository@digest` within `view`'s budget; undefined when evidence is off or failed. */
export async function getRegistryEvidence(
  repository: string,
  digest: string,
  view: RegistryView,
): Promise<RegistryEvidence | undefined> {
  const reader = registryReader();
  if (!reader.enabled) return undefined;
  try {
    return await reader.evidence(repository, digest, view);
  } catch (error) {
    console.error(`registry evidence for ${repository}@${digest} failed`, error);
    return undefined;
  }
}

const pinnedByScan = new WeakMap<object, ReadonlySet<string>>();

/**
 * Every `repository@digest` a cell or target pins at the branch head: the only references the
 * badge route asks a registry about (a viewer cannot make Ladder look up arbitrary images).
 */
export async function pinnedImagesAtHead(): Promise<ReadonlySet<string>> {
  const scan = (await getRepositoryView()).scan;
  let known = pinnedByScan.get(scan);
  if (!known) {
    const set = new Set<string>();
    for (const app of scan.apps)
      for (const cell of Object.values(app.environments)) {
        // An environment's own images are every image any of its targets runs.
        for (const image of cell.images) if (image.pinned && image.digest) set.add(`${image.repository}@${image.digest}`);
      }
    known = set;
    pinnedByScan.set(scan, known);
  }
  return known;
}
