import { type ServerEnv, serverEnv } from "../../../lib/env";
import { ladderYamlRefusal } from "../../../lib/gitops/ladder-yaml-status";
import { scanRepository } from "../../../lib/gitops/scan";
import type { Actor, PromotionContext } from "../../../lib/promotion/context";
import { messageOf } from "../../../lib/promotion/errors";
import type { PromotionRequest } from "../../../lib/promotion/preview-promotion";
import { type CliIo, type Command, flag, flagValues, type ParsedArgs, requireFlag, UsageError } from "../command";
import { formatPlans, type LocalPlan, planLocalPromotion } from "../local-plan";
import { snapshotOf } from "../open-dir";
import { bundlePreviewForOutput, formatBundlePreview, promoteBundle, reportBundleOutcome } from "../remote-bundle";
import {
  actorOf,
  cliPromotionContext,
  EXIT_ERROR,
  EXIT_OK,
  EXIT_REFUSED,
  exitCodeOf,
  formatPreview,
  previewForOutput,
  promoteOne,
  reportOutcome,
} from "../remote-promote";

/**
 * `ladder promote`. With a directory and --dry-run: the edit it would make in that checkout (no
 * policy, no database). Without one: the configured repository through lib/promotion, as the
 * web app does — --dry-run previews (every check, the diff), otherwise the pull request is
 * opened. Exit codes (docs/cli.md): 0 opened or already open (or an allowed dry run), 2 refused
 * by policy, 1 any error, a command-line mistake included.
 */
export const promoteCommand: Command = {
  name: "promote",
  summary: "promote apps into an environment: opens the pull request, or --dry-run shows it (docs/cli.md)",
  usage:
    "promote [<dir>] --to E --app A [--app B …] [--from E0] [--image REPO] [--digest D] [--tag T] [--actor LOGIN] [--dry-run] [--json]",
  usageExitCode: EXIT_ERROR,
  async run(args, io) {
    const apps = [...new Set(flagValues(args, "app"))];
    if (apps.length === 0) throw new UsageError("--app is required (give it several times for several apps)");
    const toEnv = requireFlag(args, "to");
    if (apps.length > 1)
      for (const one of ["image", "digest", "tag"])
        if (flag(args, one)) throw new UsageError(`--${one} names one app's image: give a single --app with it`);
    const dir = args.positional[0];
    if (dir !== undefined) return await promoteLocal(dir, apps, toEnv, args, io);
    return await promoteRemote(apps, toEnv, args, io);
  },
};

async function promoteLocal(dir: string, apps: string[], toEnv: string, args: ParsedArgs, io: CliIo): Promise<number> {
  if (!args.flags.has("dry-run"))
    throw new UsageError(
      `a local checkout can only be planned (--dry-run); to promote, drop ${dir} and set LADDER_REPOSITORY, DATABASE_URL and GitHub credentials`,
    );
  const snap = await snapshotOf(dir);
  const scan = await scanRepository(snap);
  const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
  if (refusal) {
    io.err(`promote: ${refusal}`);
    if (args.flags.has("json")) io.out(JSON.stringify({ ok: false, reason: "refused", message: refusal }, null, 2));
    return EXIT_REFUSED;
  }
  const plans: LocalPlan[] = [];
  for (const app of apps) {
    const from = flag(args, "from");
    const image = flag(args, "image");
    const digest = flag(args, "digest");
    const tag = flag(args, "tag");
    plans.push(
      await planLocalPromotion(snap, scan, {
        app,
        toEnv,
        ...(from ? { fromEnv: from } : {}),
        ...(image ? { image } : {}),
        ...(digest ? { digest } : {}),
        ...(tag ? { tag } : {}),
      }),
    );
  }
  const paths = plans.map((p) => p.path);
  for (const shared of new Set(paths.filter((p, i) => paths.indexOf(p) !== i)))
    io.err(`promote: note: several apps edit ${shared}; each diff here is planned on its own`);
  if (args.flags.has("json"))
    io.out(JSON.stringify({ ok: true, dryRun: true, toEnv, commit: snap.commit, changes: plans }, null, 2));
  else io.out(formatPlans(plans));
  return EXIT_OK;
}

async function promoteRemote(apps: string[], toEnv: string, args: ParsedArgs, io: CliIo): Promise<number> {
  // The preview moves the tag the source runs with its digest; a tag of one's own is a local plan's.
  if (flag(args, "tag")) throw new UsageError("--tag is for a local <dir> --dry-run; a promotion moves the source's tag");
  const dryRun = args.flags.has("dry-run");
  const json = args.flags.has("json");
  const fail = (message: string): number => {
    io.err(`promote: ${message}`);
    if (json) io.out(JSON.stringify({ ok: false, reason: "error", message }, null, 2));
    return EXIT_ERROR;
  };
  let env: ServerEnv;
  try {
    env = serverEnv();
  } catch (error) {
    return fail(messageOf(error));
  }
  const actor = actorOf(flag(args, "actor"), env);
  let ctx: PromotionContext;
  try {
    ctx = cliPromotionContext(env);
  } catch (error) {
    return fail(messageOf(error));
  }
  try {
    const [app = "", ...more] = apps;
    if (more.length > 0) return await bundle(ctx, { apps, toEnv, from: flag(args, "from") }, actor, { dryRun, json }, io);
    const from = flag(args, "from");
    const image = flag(args, "image");
    const digest = flag(args, "digest");
    const request: PromotionRequest = {
      app,
      toEnv,
      ...(from ? { fromEnv: from } : {}),
      ...(image ? { image } : {}),
      ...(digest ? { digest } : {}),
    };
    const { outcome, preview } = await promoteOne(ctx, request, actor, { dryRun });
    if (dryRun && preview && !json) io.out(formatPreview(preview));
    // With --json, stdout holds the JSON alone; refusals and errors still go to stderr.
    if (outcome) reportOutcome(json ? { out: () => undefined, err: io.err } : io, outcome, `${app} → ${toEnv}`);
    if (json)
      io.out(
        JSON.stringify(
          { ...(outcome ?? { ok: true, dryRun: true }), ...(dryRun && preview ? { preview: previewForOutput(preview) } : {}) },
          null,
          2,
        ),
      );
    return outcome ? exitCodeOf(outcome) : EXIT_OK;
  } finally {
    await ctx.db.$disconnect();
  }
}

/** Several apps: one bundle pull request (remote-bundle.ts). */
async function bundle(
  ctx: PromotionContext,
  request: { apps: string[]; toEnv: string; from: string | undefined },
  actor: Actor,
  options: { dryRun: boolean; json: boolean },
  io: CliIo,
): Promise<number> {
  const { apps, toEnv, from } = request;
  const result = await promoteBundle(ctx, { toEnv, apps, ...(from ? { fromEnv: from } : {}) }, actor, options);
  const code = result.outcome ? exitCodeOf(result.outcome) : EXIT_OK;
  if (options.dryRun && result.preview && !options.json) io.out(formatBundlePreview(result.preview));
  const what = `${apps.join(", ")} → ${toEnv}`;
  if (result.outcome) reportBundleOutcome(options.json ? { out: () => undefined, err: io.err } : io, result.outcome, what);
  if (options.json)
    io.out(
      JSON.stringify(
        {
          ...(result.outcome ?? { ok: true, dryRun: true }),
          ...(options.dryRun && result.preview ? { preview: bundlePreviewForOutput(result.preview) } : {}),
        },
        null,
        2,
      ),
    );
  return code;
}
