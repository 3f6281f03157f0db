import type { Command } from "../command";

/** Reserved: `audit verify` (the promotion event hash chain) is added with the promotion history work. */
export const auditCommand: Command = {
  name: "audit",
  summary: "verify the promotion audit trail (not available yet)",
  usage: "audit verify",
  async run(_args, io) {
    io.err("audit: not available in this build yet");
    return 2;
  },
};
