import { serverEnv } from "../../../lib/env";
import { ladderYamlRefusal } from "../../../lib/gitops/ladder-yaml-status";
import { scanRepository } from "../../../lib/gitops/scan";
import type { ScanResult } from "../../../lib/gitops/types";
import { matrixRows } from "../../../lib/matrix/environment-matrix";
import { repositoryFromEnv } from "../../../lib/repository-service/from-env";
import type { Command } from "../command";
import { snapshotOf } from "../open-dir";
import { formatMatrix } from "./scan";

/** Where the matrix was read: a local checkout, or the configured repository's branch head. */
type Origin = { dir: string; commit: string } | { repository: string; branch: string; commit: string };

/**
 * The matrix for scripts: every app × environment cell with its images (tag, digest, pinned, the
 * file and line that set it), its targets, and how it compares with the rung below — the rows
 * the home page shows (lib/matrix/environment-matrix.ts), from a local directory or, without
 * one, from LADDER_REPOSITORY through GitHub.
 */
export const statusCommand: Command = {
  name: "status",
  summary: "print the app × environment matrix of a checkout or of the configured repository (--json for scripts)",
  usage: "status [<dir>] [--json] [--render] [--allow-invalid-config]",
  async run(args, io) {
    const dir = args.positional[0];
    let scan: ScanResult;
    let origin: Origin;
    if (dir !== undefined) {
      const snap = await snapshotOf(dir);
      scan = await scanRepository(snap, { render: args.flags.has("render") });
      origin = { dir, commit: snap.commit };
    } else {
      const service = repositoryFromEnv(serverEnv());
      const view = await service.current();
      scan = view.scan;
      origin = { repository: view.repository, branch: view.branch, commit: view.snapshot.commit };
    }
    if (args.flags.has("json")) {
      const { source, guessed, ladderYaml } = scan.layout;
      io.out(
        JSON.stringify(
          {
            ...origin,
            environments: scan.environments,
            apps: matrixRows(scan),
            warnings: scan.warnings,
            layout: { source, guessed, ladderYaml },
          },
          null,
          2,
        ),
      );
    } else io.out(formatMatrix(scan));
    const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
    if (refusal && !args.flags.has("allow-invalid-config")) {
      io.err(`status: ${refusal} (pass --allow-invalid-config to read it anyway)`);
      return 1;
    }
    return 0;
  },
};
