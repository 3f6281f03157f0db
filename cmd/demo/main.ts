/**
 * `npm run demo`: the whole product on one machine with nothing but Node.
 * Creates (once) the sample GitOps repository with a real commit history under
 * the data directory, serves it through the GitHub-compatible server, starts
 * the embedded database and a production build of Ladder pointed at it, and
 * prints the URL. Ctrl-C stops everything; the next run keeps its data.
 *
 * `--strict-github` runs the GitHub stand-in strict: a request or response that breaks GitHub's
 * OpenAPI description answers 500 instead of going through. Playwright starts the demo so; a
 * person gets the lenient default.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { startGitHubServer } from "../../github-stand-in/server";
import { EnvError, parseServerEnv, processEnv } from "../../lib/env";
import { freePort } from "../launcher/port";
import { StartupError, serve } from "../launcher/serve";
import { sampleRepoCommits } from "./sample-repo";

const DEMO_TOKEN = "ladder-demo-token";
const strictGitHub = process.argv.includes("--strict-github");

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
    repoDir: path.join(demoDir, "gitops.git"),
    owner: "acme",
    repo: "gitops",
    port: githubPort,
    tokens: [DEMO_TOKEN],
    webhookUrl: `http://127.0.0.1:${env.PORT}/api/webhooks/github`,
    webhookSecret: secret,
    // Lenient in front of a person (a schema violation is only recorded); strict under Playwright.
    strict: strictGitHub,
    actor: "ladder-demo",
  });
  if (!(await github.control.head())) {
    const commits = sampleRepoCommits();
    for (const commit of commits) {
      await github.control.commit(commit.files, { message: commit.message, author: commit.author, date: commit.date });
    }
    console.log(`ladder demo: created the sample repository acme/gitops (${commits.length} commits) in ${github.repoDir}`);
  }

  let ladder: Awaited<ReturnType<typeof serve>>;
  try {
    ladder = await serve(
      {
        mode: "start",
        extraEnv: {
          LADDER_REPOSITORY: "acme/gitops",
          LADDER_BRANCH: "main",
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
        },
        log: (line) => console.log(`ladder demo: ${line}`),
      },
      source,
    );
  } catch (error) {
    await github.stop();
    if (error instanceof StartupError) {
      console.error(`ladder demo: ${error.message}`);
      return 1;
    }
    throw error;
  }

  console.log("");
  console.log(`  Ladder           ${ladder.url}`);
  console.log(`  Sample GitHub    ${github.url}/acme/gitops  (pull requests open and merge there)`);
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
