import { createDb } from "../../db/client";
import { safeLocation } from "../../db/errors";
import { serverEnv } from "../../env";
import { verifyChain } from "../../promotion/audit-chain";
import { type Command, UsageError } from "../command";

/** `audit verify`: walks the promotion event hash chain and names the first broken link. */
export const auditCommand: Command = {
  name: "audit",
  summary: "verify the promotion audit trail's hash chain (needs DATABASE_URL)",
  usage: "audit verify [--json]",
  async run(args, io) {
    const [sub] = args.positional;
    if (sub !== "verify") throw new UsageError(sub ? `unknown audit subcommand: ${sub}` : "audit needs a subcommand");
    const url = serverEnv().DATABASE_URL;
    if (!url) {
      io.err(
        "audit verify: DATABASE_URL is not set; point it at Ladder's database (for the embedded one, start Ladder and use the URL it prints).",
      );
      return 2;
    }
    const db = createDb(url);
    try {
      const result = await verifyChain(db);
      if (args.flags.has("json")) io.out(JSON.stringify(result, null, 2));
      else if (result.ok)
        io.out(
          `ok: ${result.checked} event${result.checked === 1 ? "" : "s"} verified in ${safeLocation(url)} (head ${result.head.slice(0, 12)})`,
        );
      else
        io.out(
          `BROKEN at event #${result.firstBroken?.id}: ${result.firstBroken?.reason}\n${result.checked} event${result.checked === 1 ? "" : "s"} before it verified.`,
        );
      return result.ok ? 0 : 1;
    } finally {
      await db.$disconnect();
    }
  },
};
