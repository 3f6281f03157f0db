/**
 * The promotion core in its own process — one Ladder replica — for tests that kill it or race
 * two of them. Run as `node --import tsx test/support/promotion-child.ts <command>` with
 * LADDER_TEST_DATABASE_URL and LADDER_TEST_GITHUB_API set. Commands:
 *   request <token> <n>   wait for "go" on stdin, then send n concurrent requests with the token
 *   reconcile [graceMs]    one reconcile run
 *   promote-apps <apps> <pauseMs>   promote app-000, app-001, … staging → prod one after another
 *                          (generated repositories), printing each PR number, until killed
 * Prints one JSON line per result on stdout, then exits.
 */
import { createInterface } from "node:readline";
import { createDb } from "../../lib/db/client";
import { previewPromotion } from "../../lib/promotion/preview-promotion";
import { requestPromotion } from "../../lib/promotion/request-promotion";
import { reconcile } from "../../lib/promotion/track-pull-requests";
import { replicaContext } from "./promotion-world";

const dbUrl = process.env.LADDER_TEST_DATABASE_URL ?? "";
const api = process.env.LADDER_TEST_GITHUB_API ?? "";
const [command, ...args] = process.argv.slice(2);

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function waitForGo(): Promise<void> {
  print({ ready: true, pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === "go") break;
  lines.close();
}

async function main(): Promise<void> {
  const db = createDb(dbUrl, { poolMax: 10 });
  const ctx = replicaContext(db, api);
  try {
    if (command === "request") {
      const [token = "", n = "1"] = args;
      // Warm the repository view so the requests start together.
      await ctx.repo.current();
      await waitForGo();
      const results = await Promise.all(
        Array.from({ length: Number(n) }, () =>
          requestPromotion(ctx, { token, actor: { login: `replica-${process.pid}` } }).catch((error: unknown) => ({
            ok: false as const,
            reason: "threw",
            message: error instanceof Error ? error.message : String(error),
          })),
        ),
      );
      for (const r of results)
        print(
          r.ok
            ? { ok: true, status: r.status, id: r.promotion.id, promotionStatus: r.promotion.status, pr: r.promotion.prNumber }
            : { ok: false, reason: r.reason, message: r.message },
        );
    } else if (command === "promote-apps") {
      const [apps = "100", pause = "1000"] = args;
      const actor = { login: "bench" };
      let requests = 0;
      ctx.github.octokit.hook.before("request", () => {
        requests++;
      });
      for (let i = 0; i < Number(apps); i++) {
        const app = `app-${String(i).padStart(3, "0")}`;
        try {
          const preview = await previewPromotion(ctx, { app, toEnv: "prod" }, actor);
          const result = preview.token ? await requestPromotion(ctx, { token: preview.token, actor }) : undefined;
          print(
            result?.ok
              ? { app, opened: result.promotion.prNumber, requests }
              : { app, failed: result ? result.message : preview.checks.filter((c) => c.status === "fail"), requests },
          );
        } catch (error) {
          print({ app, failed: error instanceof Error ? error.message : String(error), requests });
        }
        await new Promise((r) => setTimeout(r, Number(pause)));
      }
    } else if (command === "reconcile") {
      const result = await reconcile(ctx, { budget: 100, pendingGraceMs: Number(args[0] ?? 120_000) });
      print(result);
    } else {
      throw new Error(`unknown command ${command}`);
    }
  } finally {
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
