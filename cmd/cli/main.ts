import { type CliIo, type Command, parseArgs, UsageError } from "./command";
import { auditCommand } from "./commands/audit";
import { diffCommand } from "./commands/diff";
import { promoteCommand } from "./commands/promote";
import { scanCommand } from "./commands/scan";
import { statusCommand } from "./commands/status";

/** Every command, by name. Add a command by adding its file and one entry here. */
export const commands: readonly Command[] = [scanCommand, statusCommand, diffCommand, promoteCommand, auditCommand];

const BOOLEAN_FLAGS = ["json", "dry-run", "render", "help", "allow-invalid-config"];

function help(): string {
  return ["usage: ladder <command> [options]", "", ...commands.map((c) => `  ${c.usage.padEnd(72)} ${c.summary}`)].join("\n");
}

export async function main(
  argv: readonly string[],
  io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help") {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(parseArgs(rest, BOOLEAN_FLAGS), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nusage: ladder ${command.usage}`);
      return command.usageExitCode ?? 2;
    }
    io.err(`ladder ${name}: ${(err as Error).message}`);
    return 1;
  }
}
