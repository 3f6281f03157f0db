import { environmentPolicies } from "../../../lib/gitops/ladder-config";
import { ladderYamlRefusal } from "../../../lib/gitops/ladder-yaml-status";
import { planDigestEdit } from "../../../lib/gitops/plan-edit";
import { scanContext, scanRepository } from "../../../lib/gitops/scan";
import { type Command, flag, requireFlag, UsageError } from "../command";
import { snapshotOf } from "../open-dir";

export const promoteCommand: Command = {
  name: "promote",
  summary: "print the minimal edit that promotes a digest into an environment",
  usage: "promote <dir> --app A --to E [--digest D] [--image REPO] [--from E0] --dry-run",
  async run(args, io) {
    if (!args.flags.has("dry-run"))
      throw new UsageError("only --dry-run is supported here; promotions open pull requests from the web app");
    const app = requireFlag(args, "app");
    const to = requireFlag(args, "to");
    const snap = await snapshotOf(args.positional[0]);
    const scan = await scanRepository(snap);
    const refusal = ladderYamlRefusal(scan.layout.ladderYaml);
    if (refusal) {
      io.err(`promote: ${refusal}`);
      return 2;
    }
    const result = scan.apps.find((a) => a.name === app);
    if (!result) throw new UsageError(`unknown app ${app} (apps: ${scan.apps.map((a) => a.name).join(", ")})`);
    const target = result.environments[to];
    if (!target) throw new UsageError(`app ${app} has no environment ${to}`);
    // The feeding environment: --from, else ladder.yaml's `from`, else the previous rung where the app exists.
    const config = scanContext(scan)?.config;
    const fromPolicy = config ? environmentPolicies(config).find((p) => p.name === to)?.from : undefined;
    const idx = scan.environments.indexOf(to);
    const previous = scan.environments
      .slice(0, idx)
      .reverse()
      .find((e) => result.environments[e]);
    const from = flag(args, "from") ?? fromPolicy ?? previous;
    let image = flag(args, "image");
    let digest = flag(args, "digest");
    const source = from ? result.environments[from] : undefined;
    if (!image) {
      const candidates = source?.images.filter((i) => i.digest) ?? target.images;
      if (candidates.length !== 1)
        throw new UsageError(`--image is required (candidates: ${candidates.map((i) => i.repository).join(", ") || "none"})`);
      image = candidates[0]?.repository ?? "";
    }
    if (!digest) {
      const wanted = image;
      const src = source?.images.find((i) => i.repository === wanted || i.repositoryNormalised === wanted);
      if (!src?.digest) throw new UsageError(`--digest is required (${from ?? "no feeding environment"} does not pin ${image})`);
      digest = src.digest;
    }
    const plan = await planDigestEdit(snap, scan, { app, env: to, image, digest, tag: flag(args, "tag") });
    io.out(
      `# ${plan.description}\n# ${app}/${to}: ${plan.from.repository}:${plan.from.tag ?? ""}@${plan.from.digest ?? "-"} → @${plan.to.digest}${from ? ` (from ${from})` : ""}\n${plan.unifiedDiff}`,
    );
    return 0;
  },
};
