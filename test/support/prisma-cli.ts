/**
 * Runs the project's Prisma CLI as a user would, with no network. Async on
 * purpose: the embedded database under test may live in this very process,
 * and a synchronous spawn would block it from answering.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const prismaBin = path.resolve("node_modules", "prisma", "build", "index.js");

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function prisma(
  args: string[],
  options: { cwd?: string; databaseUrl?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaBin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        NO_COLOR: "1",
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        ...options.env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}
