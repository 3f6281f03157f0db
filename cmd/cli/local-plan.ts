/**
 * `ladder promote <dir> --dry-run`: the edit a promotion would make in a local checkout, for one
 * or several apps into one environment. No database and no GitHub, so no policy either: what the
 * pull request's diff would be, read from the working tree.
 */
import { environmentPolicies } from "../../lib/gitops/ladder-config";
import { planDigestEdit } from "../../lib/gitops/plan-edit";
import { scanContext } from "../../lib/gitops/scan";
import type { ScanResult } from "../../lib/gitops/types";
import type { RepoSnapshot } from "../../lib/snapshot/types";
import { UsageError } from "./command";

export interface LocalPlanRequest {
  app: string;
  toEnv: string;
  fromEnv?: string;
  image?: string;
  digest?: string;
  /** `--tag`; default: the tag the source runs beside the digest. */
  tag?: string;
}

export interface ImageSide {
  repository: string;
  tag: string | null;
  digest: string | null;
}

export interface LocalPlan {
  app: string;
  fromEnv: string | null;
  toEnv: string;
  path: string;
  description: string;
  from: ImageSide;
  to: ImageSide;
  unifiedDiff: string;
  minimal: boolean;
}

function reference(i: ImageSide): string {
  return `${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`;
}

/** The feeding environment: --from, else ladder.yaml's `from`, else the previous rung where the app exists. */
function feedingEnvironment(scan: ScanResult, request: LocalPlanRequest): string | undefined {
  if (request.fromEnv) return request.fromEnv;
  const config = scanContext(scan)?.config;
  const fromPolicy = config ? environmentPolicies(config).find((p) => p.name === request.toEnv)?.from : undefined;
  if (fromPolicy) return fromPolicy;
  const app = scan.apps.find((a) => a.name === request.app);
  return scan.environments
    .slice(0, scan.environments.indexOf(request.toEnv))
    .reverse()
    .find((e) => app?.environments[e]);
}

/** Plans one app's promotion: the whole reference the source runs — its digest and its tag. */
export async function planLocalPromotion(snap: RepoSnapshot, scan: ScanResult, request: LocalPlanRequest): Promise<LocalPlan> {
  const { app, toEnv } = request;
  const result = scan.apps.find((a) => a.name === app);
  if (!result) throw new UsageError(`unknown app ${app} (apps: ${scan.apps.map((a) => a.name).join(", ")})`);
  const target = result.environments[toEnv];
  if (!target) throw new UsageError(`app ${app} has no environment ${toEnv}`);
  const from = feedingEnvironment(scan, request);
  const source = from ? result.environments[from] : undefined;
  let image = request.image;
  if (!image) {
    const candidates = source?.images.filter((i) => i.digest) ?? target.images;
    if (candidates.length !== 1)
      throw new UsageError(
        `${app}: --image is required (candidates: ${candidates.map((i) => i.repository).join(", ") || "none"})`,
      );
    image = candidates[0]?.repository ?? "";
  }
  const wanted = image;
  const src = source?.images.find((i) => i.repository === wanted || i.repositoryNormalised === wanted);
  let digest = request.digest;
  // A digest named on the command line keeps the target's tag unless --tag says otherwise; the
  // source's digest brings the source's tag with it (null: the source runs a bare digest).
  let tag: string | null | undefined = request.tag;
  if (!digest) {
    if (!src?.digest)
      throw new UsageError(`${app}: --digest is required (${from ?? "no feeding environment"} does not pin ${image})`);
    digest = src.digest;
    tag ??= src.tag;
  }
  const plan = await planDigestEdit(snap, scan, { app, env: toEnv, image, digest, tag });
  return {
    app,
    fromEnv: from ?? null,
    toEnv,
    path: plan.path,
    description: plan.description,
    from: { repository: plan.from.repository, tag: plan.from.tag, digest: plan.from.digest },
    to: { repository: plan.to.repository, tag: plan.to.tag, digest: plan.to.digest },
    unifiedDiff: plan.unifiedDiff,
    minimal: plan.minimal,
  };
}

/** Several plans as one text: each app's header lines, then its diff. */
export function formatPlans(plans: readonly LocalPlan[]): string {
  return plans
    .map(
      (p) =>
        `# ${p.description}\n# ${p.app}/${p.toEnv}: ${reference(p.from)} → ${reference(p.to)}${p.fromEnv ? ` (from ${p.fromEnv})` : ""}\n${p.unifiedDiff}`,
    )
    .join("\n");
}
