/** The CLI's command table entry: each command lives in its own file under `cmd/cli/commands/`. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `--key value`, `--key=value` and boolean `--flag`; everything else is positional. */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(key, a.slice(eq + 1));
    else if (booleans.includes(key)) flags.set(key, true);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`--${key} needs a value`);
      flags.set(key, next);
      i++;
    }
  }
  return { positional, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const v = flag(args, name);
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}
