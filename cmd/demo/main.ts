/**
 * `npm run demo`: the whole product on one machine with nothing but Node.
 * Creates (once) the sample GitOps repository with a real commit history under
 * the data directory, serves it through the GitHub-compatible server, starts
 * the embedded database and a production build of Ladder pointed at it, and
 * prints the URL. Ctrl-C stops everything; the next run keeps its data.
 *
 * `--repo <path>` serves a private copy of the user's own GitOps repository instead of the sample
 * (cmd/demo/import-repo.ts): a git checkout's branch (`--branch`, default its current one; the
 * last `--depth` commits, default 500), or one commit of a plain directory. The copy is made once
 * under the data directory and reused; the source is never written to.
 *
 * `--strict-github` runs the GitHub stand-in strict: a request or response that breaks GitHub's
 * OpenAPI description answers 500 instead of going through. Playwright starts the demo so; a
 * person gets the lenient default.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { startGitHubServer } from "../../github-stand-in/server";
import { EnvError, parseServerEnv, processEnv } from "../../lib/env";
import { missingRegistryTools } from "../../local-registry/distribution";
import { freePort } from "../launcher/port";
import { StartupError, serve } from "../launcher/serve";
import {
  DEFAULT_DEPTH,
  describeImport,
  ImportError,
  type ImportedRepository,
  importRepository,
  inspectSource,
} from "./import-repo";
import { type DemoRegistry, startDemoRegistry } from "./registry";
import { sampleRepoCommits } from "./sample-repo";

const DEMO_TOKEN = "ladder-demo-token";

interface DemoArgs {
  strictGitHub: boolean;
  repo?: string;
  branch?: string;
  depth: number;
}

function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "strict-github": { type: "boolean", default: false },
      repo: { type: "string" },
      branch: { type: "string" },
      depth: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.branch !== undefined && values.repo === undefined) throw new Error("--branch needs --repo <path>");
  const depth = values.depth === undefined ? DEFAULT_DEPTH : Number(values.depth);
  if (!Number.isInteger(depth) || depth < 0) throw new Error("--depth takes a number of commits (0: the whole history)");
  return { strictGitHub: values["strict-github"], repo: values.repo, branch: values.branch, depth };
}

/** `owner/name` for the copy: `local/<directory name>`, spelled as GitHub allows. */
function copyName(source: string): string {
  const base = path
    .basename(source)
    .replace(/\.git$/, "")
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[.-]+|[.-]+$/g, "");
  return base || "repository";
}

interface OwnRepository {
  name: string;
  branch: string;
  repoDir: string;
  imported: ImportedRepository;
  reused: boolean;
}

/**
 * The private copy of `--repo`, made once per source and branch under the demo directory and kept,
 * with its pull requests, across runs (like the sample repository).
 */
async function ownRepository(demoDir: string, args: DemoArgs, cwd: string): Promise<OwnRepository> {
  const info = await inspectSource(path.resolve(cwd, args.repo ?? "."), args.branch);
  const name = copyName(info.source);
  const key = createHash("sha256").update(`${info.source}\0${info.branch}`).digest("hex").slice(0, 10);
  const home = path.join(demoDir, "own", `${name}-${key}`);
  const repoDir = path.join(home, "repo.git");
  const record = path.join(home, "import.json");
  if (existsSync(repoDir) && existsSync(record)) {
    const imported = JSON.parse(await readFile(record, "utf8")) as ImportedRepository;
    return { name, branch: info.branch, repoDir, imported, reused: true };
  }
  await mkdir(home, { recursive: true });
  const started = performance.now();
  const imported = await importRepository(info, repoDir, { depth: args.depth });
  await writeFile(record, `${JSON.stringify({ ...imported, importedAt: new Date().toISOString() }, null, 2)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`ladder demo: imported ${info.source} in ${seconds} s (${describeImport(imported)})`);
  for (const s of (imported.skipped ?? []).slice(0, 5)) console.log(`ladder demo:   left out ${s.path}: ${s.reason}`);
  if ((imported.skipped?.length ?? 0) > 5) console.log(`ladder demo:   … and ${(imported.skipped?.length ?? 0) - 5} more`);
  return { name, branch: info.branch, repoDir, imported, reused: false };
}

async function demoSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const secret = randomBytes(24).toString("hex");
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

async function main(): Promise<number> {
  const source = processEnv();
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`ladder demo: ${(error as Error).message}`);
    console.error("usage: npm run demo [-- --repo <path> [--branch <name>] [--depth <commits>]] [--strict-github]");
    return 2;
  }
  let env: ReturnType<typeof parseServerEnv>;
  try {
    env = parseServerEnv(source);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`ladder demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const demoDir = path.join(env.dataDir, "demo");
  await mkdir(demoDir, { recursive: true });
  const secret = await demoSecret(path.join(demoDir, "webhook-secret"));
  const authSecret = await demoSecret(path.join(demoDir, "auth-secret"));

  let own: OwnRepository | undefined;
  if (args.repo !== undefined) {
    try {
      // `npm run` starts scripts in the package root; a relative --repo means where npm was run.
      own = await ownRepository(demoDir, args, source.INIT_CWD ?? process.cwd());
    } catch (error) {
      if (error instanceof ImportError) {
        console.error(`ladder demo: ${error.message}`);
        return 1;
      }
      throw error;
    }
  }
  const owner = own ? "local" : "acme";
  const repoName = own?.name ?? "gitops";
  const branch = own?.branch ?? "main";

  if (!existsSync(path.resolve(".next", "standalone", "server.js"))) {
    console.log("ladder demo: no production build yet, building once (about a minute)…");
    const build = spawnSync("npm", ["run", "build"], {
      stdio: "inherit",
      env: { ...source, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) {
      console.error("ladder demo: the build failed (see above).");
      return 1;
    }
  }

  const githubPort = env.LADDER_DEMO_GITHUB_PORT ?? (await freePort("127.0.0.1"));
  const github = await startGitHubServer({
    repoDir: own?.repoDir ?? path.join(demoDir, "gitops.git"),
    owner,
    repo: repoName,
    defaultBranch: branch,
    port: githubPort,
    tokens: [DEMO_TOKEN],
    webhookUrl: `http://127.0.0.1:${env.PORT}/api/webhooks/github`,
    webhookSecret: secret,
    // Lenient in front of a person (a schema violation is only recorded); strict under Playwright.
    strict: args.strictGitHub,
    actor: "ladder-demo",
  });
  if (own) {
    const { imported } = own;
    console.log(
      `ladder demo: Serving a private copy of ${imported.source} (${describeImport(imported)}); your ${imported.kind === "git" ? "checkout" : "directory"} is never written to.`,
    );
    if (imported.shallow)
      console.log(
        `ladder demo: older history is left out (--depth ${imported.depth ?? DEFAULT_DEPTH}; --depth 0 brings all of it).`,
      );
    if (own.reused)
      console.log(`ladder demo: reusing the copy made earlier in ${path.dirname(own.repoDir)}; delete it to import again.`);
  } else if (!(await github.control.head())) {
    // Staging requires a signature only where the demo can hold signed images (its registry).
    const commits = sampleRepoCommits(new Date(), { requireSignature: missingRegistryTools().length === 0 });
    for (const commit of commits) {
      await github.control.commit(commit.files, { message: commit.message, author: commit.author, date: commit.date });
    }
    console.log(`ladder demo: created the sample repository acme/gitops (${commits.length} commits) in ${github.repoDir}`);
  }

  // The sample's images, signed (one not, one never pushed), for registry evidence. A copy of the
  // user's own repository names images the demo does not hold, so evidence is off there.
  let registry: DemoRegistry | undefined;
  try {
    registry = own ? undefined : await startDemoRegistry(demoDir);
  } catch (error) {
    // The demo goes on without it: registry evidence is information, not what the demo is for.
    console.error("ladder demo: the demo registry did not start; registry evidence is off", error);
    registry = { state: "off", reason: "the demo registry did not start (see above)", env: { LADDER_REGISTRIES: "off" } };
  }
  if (registry?.state === "off") console.log(`ladder demo: ${registry.reason}`);
  const stopRegistry = async () => {
    if (registry?.state === "on") await registry.stop();
  };

  let ladder: Awaited<ReturnType<typeof serve>>;
  try {
    ladder = await serve(
      {
        mode: "start",
        extraEnv: {
          LADDER_REPOSITORY: `${owner}/${repoName}`,
          LADDER_BRANCH: branch,
          GITHUB_API_URL: github.apiBaseUrl,
          GITHUB_TOKEN: DEMO_TOKEN,
          GITHUB_WEBHOOK_SECRET: secret,
          GITHUB_WRITE_SPACING_MS: "0",
          LADDER_DEMO: "1",
          // One local user, signed in on the first visit; production refuses local sign-in without the opt-in.
          LADDER_AUTH_MODE: "local",
          LADDER_ALLOW_LOCAL_AUTH: "1",
          LADDER_LOCAL_USER: "demo",
          LADDER_AUTH_SECRET: authSecret,
          ...(registry?.env ?? { LADDER_REGISTRIES: "off" }),
        },
        log: (line) => console.log(`ladder demo: ${line}`),
      },
      source,
    );
  } catch (error) {
    await github.stop();
    await stopRegistry();
    if (error instanceof StartupError) {
      console.error(`ladder demo: ${error.message}`);
      return 1;
    }
    throw error;
  }

  console.log("");
  console.log(`  Ladder           ${ladder.url}`);
  if (own) {
    console.log(`  What it detected ${ladder.url}/layout  (and the ladder.yaml it would write)`);
    console.log(`  Your copy        ${github.url}/${owner}/${repoName}  (pull requests open and merge there, on the copy)`);
    console.log(`  Source           ${own.imported.source}  (only read: never written to, no remote added)`);
  } else {
    console.log(`  Sample GitHub    ${github.url}/acme/gitops  (pull requests open and merge there)`);
    console.log(
      registry?.state === "on"
        ? `  Registry         ${registry.registry.url}  (ghcr.io/acme/* for Ladder: signed, gateway 1.2.0 unsigned, worker 1.7.0 missing)`
        : "  Registry         off (see above)",
    );
  }
  console.log(`  Data             ${env.dataDir}`);
  console.log("  Ctrl-C stops everything; the next run keeps the repository and the history.");
  console.log("");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("ladder demo: stopping…");
    await ladder.stop();
    await github.stop();
    await stopRegistry();
  };
  process.on("SIGINT", () => void stop().then(() => process.exit(0)));
  process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
  const code = await ladder.exited;
  await stop();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("ladder demo:", error);
    process.exit(1);
  },
);
