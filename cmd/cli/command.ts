/** The CLI's command table entry: each command lives in its own file under `cmd/cli/commands/`. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface ParsedArgs {
  positional: string[];
  /** The last value of each flag. */
  flags: Map<string, string | true>;
  /** Every value of each valued flag, in order (`--app a --app b`). */
  repeated: Map<string, string[]>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The exit code of a usage error (default 2); `promote` keeps 2 for a policy refusal and says 1. */
  usageExitCode?: number;
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
  const repeated = new Map<string, string[]>();
  const set = (key: string, value: string) => {
    flags.set(key, value);
    repeated.set(key, [...(repeated.get(key) ?? []), value]);
  };
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
    if (eq >= 0) set(key, a.slice(eq + 1));
    else if (booleans.includes(key)) flags.set(key, true);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`--${key} needs a value`);
      set(key, next);
      i++;
    }
  }
  return { positional, flags, repeated };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** Every value given for a flag that may be repeated. */
export function flagValues(args: ParsedArgs, name: string): string[] {
  return args.repeated.get(name) ?? [];
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const v = flag(args, name);
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}
