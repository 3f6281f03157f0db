import { openLocalRepo } from "../../lib/snapshot/local-reader";
import type { RepoSnapshot } from "../../lib/snapshot/types";
import { UsageError } from "./command";

/** Snapshot of the directory a command names (the working tree, so uncommitted edits count). */
export async function snapshotOf(dir: string | undefined): Promise<RepoSnapshot> {
  if (!dir) throw new UsageError("a directory is required");
  const reader = await openLocalRepo(dir, { worktree: true }).catch((err: unknown) => {
    throw new UsageError(`cannot open ${dir}: ${(err as Error).message}`);
  });
  return reader.snapshot();
}
