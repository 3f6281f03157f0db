import { createDb, type Db } from "../../../lib/db/client";
import { safeLocation } from "../../../lib/db/errors";
import { type ServerEnv, serverEnv } from "../../../lib/env";
import { listPromotionPullRequests, type PromotionPullRequest } from "../../../lib/github/pull-requests";
import { type AnchorVerification, verifyAnchors } from "../../../lib/promotion/audit-anchors";
import { type ChainVerification, verifyChain } from "../../../lib/promotion/audit-chain";
import { messageOf } from "../../../lib/promotion/errors";
import { githubClientFromEnv } from "../../../lib/repository-service/from-env";
import { type CliIo, type Command, UsageError } from "../command";

/**
 * Exit codes: 0 the chain verifies and so does every anchor in the promotion PRs; 1 the chain
 * is broken or an anchor does not match; 2 usage, or no DATABASE_URL; 3 the chain verifies but
 * the anchors could not be checked (no GitHub configured, or GitHub failed), so a deleted tail
 * would not have shown.
 */
const EXIT_ANCHORS_NOT_CHECKED = 3;

type AnchorOutcome = ({ status: "checked"; repository: string } & AnchorVerification) | { status: "not-checked"; reason: string };

/** `audit verify`: walks the promotion event hash chain, then checks it against the anchors in the promotion PRs. */
export const auditCommand: Command = {
  name: "audit",
  summary: "verify the audit trail's hash chain, and its anchors in the promotion PRs (needs DATABASE_URL; GitHub for anchors)",
  usage: "audit verify [--json]",
  async run(args, io) {
    const [sub] = args.positional;
    if (sub !== "verify") throw new UsageError(sub ? `unknown audit subcommand: ${sub}` : "audit needs a subcommand");
    const env = serverEnv();
    const url = env.DATABASE_URL;
    if (!url) {
      io.err(
        "audit verify: DATABASE_URL is not set; point it at Ladder's database (for the embedded one, start Ladder and use the URL it prints).",
      );
      return 2;
    }
    const db = createDb(url);
    try {
      const chain = await verifyChain(db);
      const anchors = await checkAnchors(env, db);
      const code =
        !chain.ok || (anchors.status === "checked" && !anchors.ok)
          ? 1
          : anchors.status === "checked"
            ? 0
            : EXIT_ANCHORS_NOT_CHECKED;
      if (args.flags.has("json")) io.out(JSON.stringify({ ...chain, ok: code === 0, chainOk: chain.ok, anchors }, null, 2));
      else report(io, url, chain, anchors);
      return code;
    } finally {
      await db.$disconnect();
    }
  },
};

async function checkAnchors(env: ServerEnv, db: Db): Promise<AnchorOutcome> {
  const repository = env.LADDER_REPOSITORY;
  if (env.githubAuth.kind === "none" || !repository) {
    const missing = [
      ...(env.githubAuth.kind === "none" ? ["GitHub credentials (GITHUB_TOKEN or GITHUB_APP_*)"] : []),
      ...(repository ? [] : ["LADDER_REPOSITORY"]),
    ];
    return { status: "not-checked", reason: `no ${missing.join(" and ")} configured` };
  }
  const [owner = "", repo = ""] = repository.split("/");
  let pulls: PromotionPullRequest[];
  try {
    pulls = await listPromotionPullRequests(githubClientFromEnv(env), { owner, repo });
  } catch (error) {
    console.error(`[audit] listing the promotion pull requests of ${repository} failed`, error);
    return { status: "not-checked", reason: `listing the promotion PRs of ${repository} failed: ${messageOf(error)}` };
  }
  return { status: "checked", repository, ...(await verifyAnchors(db, repository, pulls)) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function report(io: CliIo, url: string, chain: ChainVerification, anchors: AnchorOutcome): void {
  if (chain.ok)
    io.out(`ok: ${plural(chain.checked, "event")} verified in ${safeLocation(url)} (head ${chain.head.slice(0, 12)})`);
  else
    io.out(
      `BROKEN at event #${chain.firstBroken?.id}: ${chain.firstBroken?.reason}\n${plural(chain.checked, "event")} before it verified.`,
    );
  if (anchors.status === "not-checked") {
    io.out(
      `anchors: NOT CHECKED (${anchors.reason}): a deleted or rewritten tail of the chain would not show. Set them to compare the chain with the promotion PRs.`,
    );
    return;
  }
  for (const p of anchors.problems) io.out(`ANCHOR MISMATCH in PR #${p.pr} (${p.url}): ${p.reason}`);
  const newest = anchors.newest
    ? `; newest anchored point: event #${anchors.newest.eventId} (${anchors.newest.hash.slice(0, 12)}) from PR #${anchors.newest.pr}, ${plural(anchors.eventsAfterNewest, "event")} after it not anchored yet`
    : "";
  const without = anchors.unanchored.length > 0 ? `; ${plural(anchors.unanchored.length, "promotion PR")} without an anchor` : "";
  io.out(
    `anchors: ${anchors.ok ? "ok" : "FAILED"}: ${plural(anchors.checked, "anchor")} checked in ${plural(anchors.pulls, "promotion PR")} of ${anchors.repository}${newest}${without}`,
  );
}
