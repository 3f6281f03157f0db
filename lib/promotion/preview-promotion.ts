/**
 * Everything the Promote dialog shows, computed on the server: the two cells, old → new digest,
 * the exact unified diff of the one file that changes, the git-history evidence, every policy
 * check, and the commit and blob SHA the user is looking at (so execution can refuse a stale
 * view). `assessPromotion` is shared with execution, which re-runs it before writing anything.
 */
import { matchList } from "../auth/membership";
import type { PromotedReference } from "../github/promotion-pr-text";
import { ladderYamlRefusal } from "../gitops/ladder-yaml-status";
import { type ArtifactEditPlan, artifactLabel, planArtifactEdit } from "../gitops/plan-artifact-edit";
import { type DigestEditPlan, EditPlanError, planDigestEdit } from "../gitops/plan-edit";
import { scanContext } from "../gitops/scan";
import type { Artifact, Cell, ImageReference } from "../gitops/types";
import { type RegistryEvidence, registryChecks, signingKeysOf } from "../registry";
import type { RepositoryView } from "../repository-service/repository-service";
import type { RepoSnapshot } from "../snapshot/types";
import { type Actor, nowOf, type PromotionContext } from "./context";
import { messageOf, PromotionInputError } from "./errors";
import {
  type DigestEvidence,
  digestEvidence,
  environmentTimeline,
  pickArtifact,
  pickImage,
  type VersionEvidence,
  versionEvidence,
} from "./evidence";
import { activeLocks } from "./locks";
import { check, evaluatePolicy, type OpenPromotionInfo, type PolicyCheck, policyFor } from "./policy";
import { addressOf, openSlot } from "./promotion-record";
import { encodePromotionToken } from "./promotion-token";

export interface PromotionRequest {
  app: string;
  toEnv: string;
  /** Default: the environment that feeds `toEnv` (ladder.yaml `from`, else the rung below). */
  fromEnv?: string;
  /** Image repository; default: the source cell's only image. */
  image?: string;
  /** Default: what the source environment runs now. Required for a rollback. */
  digest?: string;
  /** Promote a digest from `toEnv`'s own history back into it. */
  rollback?: boolean;
  /**
   * Promote a chart version or a remote base's ref instead of an image: the version the source
   * environment runs (`image` and `digest` are then unused; no rollback).
   */
  artifact?: { kind: Artifact["kind"]; name: string };
  /**
   * A canary: promote into this one target of `toEnv` (its own overlay), leaving the others on
   * what the environment's shared file sets.
   */
  target?: string;
}

export interface CellSide {
  env: string | null;
  /** The environment's own path (overlay directory or values file). */
  path: string | null;
  image: ImageReference | null;
  /** The artifact followed, for a chart or remote-base promotion. */
  artifact?: Artifact | null;
}

export interface PlannedChange {
  path: string;
  /** What the target environment runs now, and what it will run: the source's digest and tag together. */
  from: PromotedReference;
  to: PromotedReference;
  unifiedDiff: string;
  description: string;
  /** False when the edit could not be kept to the reference's line(s). */
  minimal: boolean;
  /** An environment that fans out: which targets the change reaches, and which keep a pin of their own. */
  targets?: DigestEditPlan["targets"];
}

export interface PromotionPreview {
  request: {
    app: string;
    toEnv: string;
    fromEnv: string | null;
    image: string | null;
    digest: string | null;
    /** The tag that moves with the digest (or alone, for a tag-only promotion); an artifact's version. */
    tag: string | null;
    rollback: boolean;
    /** What moves: an image, or a chart or remote base (`image` is then its name, `tag` its version). */
    kind: "image" | Artifact["kind"];
    /** A canary: the one target of `toEnv` that moves. */
    target?: string;
  };
  source: CellSide;
  target: CellSide;
  change: PlannedChange | null;
  /** Git-history evidence of the digest (or the artifact's version) in the source environment (rollback: in the target). */
  evidence: DigestEvidence | VersionEvidence | null;
  checks: PolicyCheck[];
  allowed: boolean;
  /**
   * What the registry says of the digest promoted (docs/registry.md); null when none was
   * gathered (no reader, no digest, an artifact promotion).
   */
  registry: RegistryEvidence | null;
  /** What the user is looking at; execution refuses when the target file changed since. */
  view: { commit: string; path: string | null; blobSha: string | null; checkedAt: string };
  /** The promotion holding the (app, environment) slot, if any. */
  openPromotion: OpenPromotionInfo | null;
  /** Post this back to `requestPromotion`; null when the promotion is refused. */
  token: string | null;
}

/** The one file a promotion writes, whatever it moves (an image's reference, an artifact's version). */
export interface PlannedEdit {
  path: string;
  after: string;
  unifiedDiff: string;
  /** What the target ran: an image's digest and tag, or an artifact's version as `tag`. */
  from: PromotedReference;
}

/** The preview plus what execution needs but the browser does not. */
export interface Assessment {
  preview: PromotionPreview;
  /** The image edit (undefined for an artifact promotion: see `edit`). */
  plan: DigestEditPlan | undefined;
  /** The file change to write, for either kind. */
  edit: PlannedEdit | undefined;
  head: RepositoryView;
  planView: RepositoryView;
  blobShaAtHead: string | null;
}

/** Which targets of a fanned-out environment the change reaches: a warning names those that keep their own pin. */
function targetsCheck(targets: NonNullable<DigestEditPlan["targets"]>): PolicyCheck {
  const reached = targets.filter((t) => t.reached).map((t) => t.name);
  const kept = targets.filter((t) => !t.reached);
  if (kept.length === 0) return check("targets", "pass", `reaches every target: ${reached.join(", ")}`);
  const pins = kept
    .map(
      (t) =>
        `${t.name} (${[t.runs?.tag, t.runs?.digest?.replace(/^sha256:/, "").slice(0, 12)].filter(Boolean).join(" ") || "nothing"})`,
    )
    .join(", ");
  return check(
    "targets",
    "warn",
    `reaches ${reached.length ? reached.join(", ") : "no target"}; ${kept.length === 1 ? "keeps its own pin" : "keep their own pins"}: ${pins}`,
  );
}

function blobSha(snapshot: RepoSnapshot, path: string | undefined): string | null {
  if (!path) return null;
  return snapshot.files().find((f) => f.path === path)?.sha ?? null;
}

function side(env: string | null, cell: Cell | undefined, image: ImageReference | undefined): CellSide {
  return { env, path: cell?.path ?? null, image: image ?? null };
}

function planCheck(plan: { minimal: boolean; path: string; description: string }): PolicyCheck {
  return plan.minimal
    ? check("plan", "pass", `edits only ${plan.path}: ${plan.description}`)
    : check("plan", "warn", `${plan.path} had to be re-serialised: review the whole diff (${plan.description})`);
}

/**
 * Assesses a promotion: policy at the branch head (or the current state of locks and open
 * promotions), the edit planned at `planAt` (the commit the user saw; default: the head).
 */
export async function assessPromotion(
  ctx: PromotionContext,
  request: PromotionRequest,
  actor: Actor,
  options: { planAt?: string } = {},
): Promise<Assessment> {
  const now = nowOf(ctx);
  const head = await ctx.repo.current();
  const planView = options.planAt && options.planAt !== head.snapshot.commit ? await ctx.repo.at(options.planAt) : head;
  const scan = head.scan;
  const appResult = scan.apps.find((a) => a.name === request.app);
  if (!appResult) throw new PromotionInputError(`Unknown app ${request.app}.`);
  if (!scan.environments.includes(request.toEnv)) throw new PromotionInputError(`Unknown environment ${request.toEnv}.`);
  if (request.fromEnv && !scan.environments.includes(request.fromEnv))
    throw new PromotionInputError(`Unknown environment ${request.fromEnv}.`);
  const rollback = request.rollback ?? false;
  if (request.artifact) {
    if (rollback)
      throw new PromotionInputError(`Rolling back a ${request.artifact.kind} is not supported; promote a version instead.`);
    return assessArtifactPromotion(ctx, request, request.artifact, actor, { now, head, planView });
  }
  if (rollback && !request.digest) throw new PromotionInputError("A rollback needs the digest to roll back to.");

  const { policy, expectedFrom } = policyFor(scan, request.app, request.toEnv);
  const fromEnv = rollback ? request.toEnv : (request.fromEnv ?? expectedFrom);
  const envCell = appResult.environments[request.toEnv];
  if (request.target !== undefined && !envCell?.targets?.[request.target])
    throw new PromotionInputError(
      `${request.toEnv} has no target ${request.target} (targets: ${Object.keys(envCell?.targets ?? {}).join(", ") || "none"}).`,
    );
  const targetCell = request.target !== undefined ? envCell?.targets?.[request.target] : envCell;
  const sourceCell = !rollback && fromEnv ? appResult.environments[fromEnv] : undefined;

  const chooseFrom = rollback ? targetCell : (sourceCell ?? targetCell);
  let sourceRef = pickImage(sourceCell, request.image);
  let targetRef = pickImage(targetCell, request.image);
  if (!request.image && chooseFrom && chooseFrom.images.length > 1) {
    throw new PromotionInputError(
      `${request.app} deploys several images; choose one: ${chooseFrom.images.map((i) => i.repository).join(", ")}`,
    );
  }
  // Follow the same image on both sides, whichever side named it.
  const repository = sourceRef?.repositoryNormalised ?? targetRef?.repositoryNormalised;
  if (repository) {
    sourceRef ??= pickImage(sourceCell, repository);
    targetRef ??= pickImage(targetCell, repository);
  }
  const digest = request.digest ?? (rollback ? null : (sourceRef?.digest ?? null));
  // A tag-only source (ladder.yaml allowTagOnly) promotes its tag; a rollback's tag is the one it ran with.
  const tagOnly =
    !rollback && !digest && sourceRef !== undefined && !sourceRef.pinned && sourceRef.tag !== null && policy.allowTagOnly;
  const evidenceEnv = rollback ? request.toEnv : fromEnv;
  const evidenceCell = rollback ? targetCell : sourceCell;
  const slot = openSlot(ctx.repo.repository, request.app, addressOf(request.toEnv, request.target));
  const keys = signingKeysOf(scanContext(scan)?.config);

  const [timeline, locks, holder, promoter, registry] = await Promise.all([
    evidenceEnv && evidenceCell && repository
      ? environmentTimeline(ctx.repo, {
          app: request.app,
          env: evidenceEnv,
          image: repository,
          cell: evidenceCell,
          limit: ctx.evidenceCommits,
        })
      : Promise.resolve(undefined),
    activeLocks(ctx.db, { repository: ctx.repo.repository, env: request.toEnv, app: request.app, now }),
    ctx.db.promotion.findUnique({ where: { openSlot: slot } }),
    matchList(actor.login, policy.promoters, ctx.isTeamMember),
    // Beside Git, never after it: the reader's timeouts and budget bound how long this can take.
    digest && repository && ctx.registry
      ? ctx.registry.evidence(repository, digest, { budget: ctx.registry.budget(), keys }).catch((error: unknown) => {
          // Nothing gathered: a requirement then refuses, naming that; otherwise the preview goes on without.
          console.error(`[promotion] registry evidence for ${repository}@${digest} failed`, error);
          return undefined;
        })
      : Promise.resolve(undefined),
  ]);
  const evidence = timeline && digest ? digestEvidence(timeline, digest, now) : undefined;
  // The tag that goes with the digest: what the source runs it as now, else what it ran as (a rollback, a chosen digest).
  const tag =
    !rollback && (tagOnly || (digest && sourceRef?.digest === digest)) ? (sourceRef?.tag ?? null) : (evidence?.tag ?? null);
  const openPromotion = openPromotionOf(holder);

  const decision = evaluatePolicy({
    app: request.app,
    toEnv: request.toEnv,
    fromEnv,
    expectedFrom,
    rollback,
    digest,
    target: targetRef,
    targetExists: targetCell !== undefined && targetRef !== undefined,
    source: sourceRef,
    evidence,
    policy,
    locks,
    actor: actor.login,
    promoter,
    ladderYamlRefusal: ladderYamlRefusal(scan.layout.ladderYaml),
    openPromotion,
    now,
  });
  const checks = [...decision.checks];
  // With no registry requirement and no reader this adds nothing.
  if (digest) checks.push(...registryChecks(registry, digest, policy, keys));

  let plan: DigestEditPlan | undefined;
  if ((digest || tagOnly) && targetRef && targetCell) {
    try {
      plan = await planDigestEdit(planView.snapshot, planView.scan, {
        app: request.app,
        env: request.toEnv,
        image: targetRef.repository,
        ...(digest ? { digest } : {}),
        tag,
        ...(request.target !== undefined ? { target: request.target } : {}),
      });
      checks.push(planCheck(plan));
      if (plan.targets) checks.push(targetsCheck(plan.targets));
    } catch (error) {
      if (!(error instanceof EditPlanError)) throw error;
      checks.push(check("plan", "fail", `no safe edit: ${messageOf(error)}`));
    }
  }
  const allowed = !checks.some((c) => c.status === "fail");
  const viewBlob = blobSha(planView.snapshot, plan?.path);
  const image = targetRef?.repository ?? sourceRef?.repository ?? null;

  const preview: PromotionPreview = {
    request: {
      app: request.app,
      toEnv: request.toEnv,
      fromEnv: fromEnv ?? null,
      image,
      digest,
      tag,
      rollback,
      kind: "image",
      ...(request.target !== undefined ? { target: request.target } : {}),
    },
    source: side(evidenceEnv ?? null, evidenceCell, rollback ? targetRef : sourceRef),
    target: side(request.toEnv, targetCell, targetRef),
    change: plan
      ? {
          path: plan.path,
          from: { digest: plan.from.digest, tag: plan.from.tag },
          to: { digest: plan.to.digest, tag: plan.to.tag },
          unifiedDiff: plan.unifiedDiff,
          description: plan.description,
          minimal: plan.minimal,
          ...(plan.targets ? { targets: plan.targets } : {}),
        }
      : null,
    evidence: evidence ?? null,
    checks,
    allowed,
    registry: registry ?? null,
    view: { commit: planView.snapshot.commit, path: plan?.path ?? null, blobSha: viewBlob, checkedAt: now.toISOString() },
    openPromotion: openPromotion ?? null,
    token:
      allowed && plan && image && viewBlob
        ? encodePromotionToken({
            v: 1,
            app: request.app,
            toEnv: request.toEnv,
            fromEnv: fromEnv ?? null,
            image,
            digest,
            tag,
            rollback,
            ...(request.target !== undefined ? { target: request.target } : {}),
            commit: planView.snapshot.commit,
            path: plan.path,
            blobSha: viewBlob,
          })
        : null,
  };
  const edit = plan
    ? {
        path: plan.path,
        after: plan.after,
        unifiedDiff: plan.unifiedDiff,
        from: { digest: plan.from.digest, tag: plan.from.tag },
      }
    : undefined;
  return { preview, plan, edit, head, planView, blobShaAtHead: blobSha(head.snapshot, plan?.path) };
}

type PromotionRow = Awaited<ReturnType<PromotionContext["db"]["promotion"]["findUnique"]>>;

function openPromotionOf(holder: PromotionRow): OpenPromotionInfo | undefined {
  return holder && (holder.status === "PENDING" || holder.status === "OPEN")
    ? {
        id: holder.id,
        kind: holder.kind,
        image: holder.image,
        digest: holder.digest,
        tag: holder.tag,
        bundleId: holder.bundleId,
        status: holder.status,
        prNumber: holder.prNumber,
        prUrl: holder.prUrl,
      }
    : undefined;
}

/**
 * A chart version or a remote base's ref, promoted like an image: the version the feeding
 * environment runs, the same policy (pinned means one exact version), evidence from the source
 * environment's history of that artifact, and the edit of the target's own file.
 */
async function assessArtifactPromotion(
  ctx: PromotionContext,
  request: PromotionRequest,
  followed: { kind: Artifact["kind"]; name: string },
  actor: Actor,
  at: { now: Date; head: RepositoryView; planView: RepositoryView },
): Promise<Assessment> {
  const { now, head, planView } = at;
  const scan = head.scan;
  const appResult = scan.apps.find((a) => a.name === request.app);
  if (!appResult) throw new PromotionInputError(`Unknown app ${request.app}.`);
  const { policy, expectedFrom } = policyFor(scan, request.app, request.toEnv);
  const fromEnv = request.fromEnv ?? expectedFrom;
  const targetCell = appResult.environments[request.toEnv];
  const sourceCell = fromEnv ? appResult.environments[fromEnv] : undefined;
  const sourceArt = pickArtifact(sourceCell, followed.kind, followed.name);
  const targetArt = pickArtifact(targetCell, followed.kind, followed.name);
  if (!targetArt && !sourceArt)
    throw new PromotionInputError(
      `${request.app} deploys no ${artifactLabel(followed)} in ${request.toEnv} or ${fromEnv ?? "below it"}.`,
    );
  const version = sourceArt?.pinned ? sourceArt.version : null;
  const slot = openSlot(ctx.repo.repository, request.app, request.toEnv);

  const [timeline, locks, holder, promoter] = await Promise.all([
    fromEnv && sourceCell && sourceArt
      ? environmentTimeline(ctx.repo, {
          app: request.app,
          env: fromEnv,
          cell: sourceCell,
          follow: { kind: "artifact", artifactKind: followed.kind, name: followed.name },
          limit: ctx.evidenceCommits,
        })
      : Promise.resolve(undefined),
    activeLocks(ctx.db, { repository: ctx.repo.repository, env: request.toEnv, app: request.app, now }),
    ctx.db.promotion.findUnique({ where: { openSlot: slot } }),
    matchList(actor.login, policy.promoters, ctx.isTeamMember),
  ]);
  const evidence = timeline && version ? versionEvidence(timeline, followed, version, now) : undefined;
  const openPromotion = openPromotionOf(holder);
  const decision = evaluatePolicy({
    app: request.app,
    toEnv: request.toEnv,
    fromEnv,
    expectedFrom,
    rollback: false,
    digest: null,
    target: undefined,
    targetExists: targetCell !== undefined && targetArt !== undefined,
    source: undefined,
    artifact: { kind: followed.kind, name: followed.name, source: sourceArt, target: targetArt },
    evidence,
    policy,
    locks,
    actor: actor.login,
    promoter,
    ladderYamlRefusal: ladderYamlRefusal(scan.layout.ladderYaml),
    openPromotion,
    now,
  });
  const checks = [...decision.checks];

  let plan: ArtifactEditPlan | undefined;
  if (version && targetArt && targetCell) {
    try {
      plan = await planArtifactEdit(planView.snapshot, planView.scan, {
        app: request.app,
        env: request.toEnv,
        kind: followed.kind,
        name: followed.name,
        version,
      });
      checks.push(planCheck(plan));
    } catch (error) {
      if (!(error instanceof EditPlanError)) throw error;
      checks.push(check("plan", "fail", `no safe edit: ${messageOf(error)}`));
    }
  }
  const allowed = !checks.some((c) => c.status === "fail");
  const viewBlob = blobSha(planView.snapshot, plan?.path);
  const from: PromotedReference = { digest: null, tag: plan?.from.version ?? targetArt?.version ?? null };
  const preview: PromotionPreview = {
    request: {
      app: request.app,
      toEnv: request.toEnv,
      fromEnv: fromEnv ?? null,
      image: followed.name,
      digest: null,
      tag: version,
      rollback: false,
      kind: followed.kind,
    },
    source: { env: fromEnv ?? null, path: sourceCell?.path ?? null, image: null, artifact: sourceArt ?? null },
    target: { env: request.toEnv, path: targetCell?.path ?? null, image: null, artifact: targetArt ?? null },
    change: plan
      ? {
          path: plan.path,
          from,
          to: { digest: null, tag: plan.to.version },
          unifiedDiff: plan.unifiedDiff,
          description: plan.description,
          minimal: plan.minimal,
        }
      : null,
    evidence: evidence ?? null,
    checks,
    allowed,
    registry: null,
    view: { commit: planView.snapshot.commit, path: plan?.path ?? null, blobSha: viewBlob, checkedAt: now.toISOString() },
    openPromotion: openPromotion ?? null,
    token:
      allowed && plan && version && viewBlob
        ? encodePromotionToken({
            v: 1,
            app: request.app,
            toEnv: request.toEnv,
            fromEnv: fromEnv ?? null,
            image: followed.name,
            digest: null,
            tag: version,
            rollback: false,
            kind: followed.kind,
            commit: planView.snapshot.commit,
            path: plan.path,
            blobSha: viewBlob,
          })
        : null,
  };
  const edit = plan ? { path: plan.path, after: plan.after, unifiedDiff: plan.unifiedDiff, from } : undefined;
  return { preview, plan: undefined, edit, head, planView, blobShaAtHead: blobSha(head.snapshot, plan?.path) };
}

/** The Promote dialog's content. Throws PromotionInputError (422) for an unknown app, environment or an ambiguous image. */
export async function previewPromotion(
  ctx: PromotionContext,
  request: PromotionRequest,
  actor: Actor,
  options: { atCommit?: string } = {},
): Promise<PromotionPreview> {
  return (await assessPromotion(ctx, request, actor, { planAt: options.atCommit })).preview;
}
