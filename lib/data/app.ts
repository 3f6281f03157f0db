import "server-only";
import type { Cell } from "../gitops/types";
import { environmentTimeline, type Timeline } from "../promotion/evidence";
import { type MatrixImage, targetSummary, toMatrixImage, versionOf } from "./matrix";
import { getRepository } from "./repository-view";

export interface AppEnvironment {
  env: string;
  path: string;
  ownFiles: string[];
  images: MatrixImage[];
  warnings: { file: string; line: number; message: string }[];
  timeline: Timeline | null;
  timelineError?: string;
  /** The rung below, when it runs a pinned digest this environment does not. */
  promotableFrom?: string;
  /** The environment fans out: what each target runs, and where it is set. */
  targets?: AppTarget[];
  targetSummary?: string;
}

export interface AppTarget {
  name: string;
  path: string;
  images: MatrixImage[];
  warnings: { file: string; line: number; message: string }[];
}

export interface AppOverview {
  app: string;
  format: string;
  environments: AppEnvironment[];
  /** Every environment of the ladder (some may not run this app). */
  ladder: string[];
  commit: string;
}

function targetsOf(cell: Cell): Pick<AppEnvironment, "targets" | "targetSummary"> {
  if (!cell.targets) return {};
  const targets = Object.entries(cell.targets).map(([name, t]) => ({
    name,
    path: t.path,
    images: t.images.map(toMatrixImage),
    warnings: t.warnings,
  }));
  return { targets, targetSummary: targetSummary(targets.map((t) => ({ version: versionOf(t.images) }))) };
}

/** One app across the ladder with each environment's digest timeline; null when no such app. */
export async function getAppOverview(app: string): Promise<AppOverview | null> {
  const service = getRepository();
  const view = await service.current();
  const appResult = view.scan.apps.find((a) => a.name === app);
  if (!appResult) return null;
  const environments = await Promise.all(
    view.scan.environments
      .filter((env) => appResult.environments[env])
      .map(async (env): Promise<AppEnvironment> => {
        const cell = appResult.environments[env] as Cell;
        const index = view.scan.environments.indexOf(env);
        const belowEnv = index > 0 ? view.scan.environments[index - 1] : undefined;
        const below = belowEnv ? appResult.environments[belowEnv] : undefined;
        const promotable = below?.images.some(
          (b) => b.digest && cell.images.find((i) => i.repositoryNormalised === b.repositoryNormalised)?.digest !== b.digest,
        );
        const base = {
          env,
          path: cell.path,
          ownFiles: cell.ownFiles,
          // With targets: what the environment sets for all of them (each target's own is listed below).
          images: (cell.targets ? cell.images.filter((i) => cell.ownFiles.includes(i.source.file)) : cell.images).map(
            toMatrixImage,
          ),
          warnings: cell.warnings,
          promotableFrom: promotable ? belowEnv : undefined,
          ...targetsOf(cell),
        };
        try {
          return { ...base, timeline: await environmentTimeline(service, { app, env, cell, limit: 30 }) };
        } catch (error) {
          console.error(`timeline of ${app} in ${env} failed`, error);
          return { ...base, timeline: null, timelineError: error instanceof Error ? error.message : String(error) };
        }
      }),
  );
  return { app, format: appResult.format, environments, ladder: view.scan.environments, commit: view.snapshot.commit };
}
