/**
 * A small Dockerfile reader for tests: enough of the Dockerfile reference to check a file's
 * invariants without Docker. It handles parser directives, comments, line continuations (comment
 * lines inside a continuation are dropped, as BuildKit does), exec (JSON) and shell forms, `--flag`
 * options, heredocs, `ARG` defaults substituted into `FROM`, and splits the file into stages.
 */

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** Everything after the keyword and its `--flags`, continuations joined with a space. */
  args: string;
  /** `--from=build` → { from: "build" }; a bare `--link` → { link: "" }. */
  flags: Record<string, string>;
  /** The exec form's array when the arguments are a JSON array of strings. */
  exec?: string[];
  /** Heredoc bodies (`RUN <<EOF`), by delimiter. */
  heredocs: Record<string, string>;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  /** `AS name`, lower-cased, or the stage index as a string. */
  name: string;
  /** The base image with global ARG defaults substituted. */
  base: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Record<string, string>;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  instructions: Instruction[];
  stages: Stage[];
}

export class DockerfileSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`Dockerfile line ${line}: ${message}`);
    this.name = "DockerfileSyntaxError";
  }
}

function parseExec(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  } catch {
    // Not valid JSON: Docker then runs it in shell form, and so do we.
    return undefined;
  }
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const m = /^--([A-Za-z][\w-]*)(?:=("[^"]*"|\S*))?\s*/.exec(args);
    if (!m?.[1]) break;
    flags[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

/** `${NAME}`, `$NAME` and `${NAME:-default}` from the given ARG values; unknown names stay as written. */
export function substituteArgs(text: string, values: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_]\w*)(?::-([^}]*))?\}|\$([A-Za-z_]\w*)/g, (whole, braced, fallback, bare) => {
    const name = (braced ?? bare) as string;
    return values[name] ?? fallback ?? whole;
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const directives: Record<string, string> = {};
  let i = 0;
  // Parser directives: `# key=value` lines at the very top, before any comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(lines[i] ?? "");
    if (!m?.[1]) break;
    directives[m[1].toLowerCase()] = m[2] ?? "";
  }
  const escapeChar = directives.escape === "`" ? "`" : "\\";
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const raw = lines[i] ?? "";
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      i++;
      continue;
    }
    const startLine = i + 1;
    const parts: string[] = [];
    let current = raw;
    for (;;) {
      const t = current.replace(/\s+$/, "");
      if (t.endsWith(escapeChar)) {
        parts.push(t.slice(0, -1).trim());
        i++;
        // Comment and blank lines inside a continuation are not part of the instruction.
        while (i < lines.length && /^\s*(#.*)?$/.test(lines[i] ?? "")) i++;
        if (i >= lines.length) throw new DockerfileSyntaxError("continuation at end of file", startLine);
        current = lines[i] ?? "";
        continue;
      }
      parts.push(t.trim());
      i++;
      break;
    }
    const joined = parts.filter((p) => p !== "").join(" ");
    const m = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(joined);
    if (!m?.[1]) throw new DockerfileSyntaxError(`not an instruction: ${joined}`, startLine);
    const keyword = m[1].toUpperCase();
    const { flags, args } = splitFlags((m[2] ?? "").trim());
    const heredocs: Record<string, string> = {};
    for (const h of args.matchAll(/<<(-?)(["']?)([A-Za-z_]\w*)\2/g)) {
      const delimiter = h[3] ?? "";
      const body: string[] = [];
      while (i < lines.length && (lines[i] ?? "").trim() !== delimiter) body.push(lines[i++] ?? "");
      if (i >= lines.length) throw new DockerfileSyntaxError(`heredoc ${delimiter} is not closed`, startLine);
      i++;
      heredocs[delimiter] = body.join("\n");
    }
    const exec = parseExec(args);
    instructions.push({ keyword, args, flags, heredocs, line: startLine, ...(exec ? { exec } : {}) });
  }

  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m?.[1]) throw new DockerfileSyntaxError(`FROM needs an image: ${ins.args}`, ins.line);
      stages.push({
        name: (m[2] ?? String(stages.length)).toLowerCase(),
        base: substituteArgs(m[1], globalArgs),
        from: ins,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword !== "ARG") throw new DockerfileSyntaxError(`${ins.keyword} before the first FROM`, ins.line);
      const [name, ...value] = ins.args.split("=");
      if (name) globalArgs[name.trim()] = value.length ? value.join("=").replace(/^"(.*)"$/, "$1") : undefined;
    } else {
      stages[stages.length - 1]?.instructions.push(ins);
    }
  }
  return { directives, globalArgs, instructions, stages };
}

/** ENV and ARG pairs of an instruction: `ENV A=1 B="two"`, `ENV A 1` (legacy), `ARG A`, `ARG A=1`. */
export function keyValues(ins: Instruction): { key: string; value: string | undefined }[] {
  if (ins.keyword === "ENV" && !/^\S+=/.test(ins.args)) {
    const [key = "", ...rest] = ins.args.split(/\s+/);
    return [{ key, value: rest.join(" ") }];
  }
  const out: { key: string; value: string | undefined }[] = [];
  for (const m of ins.args.matchAll(/([A-Za-z_][\w.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) {
    out.push({ key: m[1] ?? "", value: m[2] === undefined ? undefined : m[2].replace(/^(["'])(.*)\1$/, "$2") });
  }
  return out;
}
