/**
 * Runs the GitHub-compatible server standalone (demo, Playwright, manual poking):
 *
 *   npx tsx github-stand-in/main.ts --port 4010 --repo-dir data/gitops.git \
 *     --webhook-url http://localhost:3000/api/webhooks/github --webhook-secret dev-secret \
 *     --seed-apps 8 --envs dev,staging,prod
 *
 * Octokit baseUrl: http://127.0.0.1:<port>/api/v3 · token: --token (default "test-token").
 * Control API: /_control/{seed,commit,faults,counters,violations,pulls,pulls/<n>/merge,reset,...}.
 */
import { parseArgs } from "node:util";
import { generateGitOpsRepo } from "./fixtures";
import { GitStore } from "./git-store";
import { startGitHubServer } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "repo-dir": { type: "string" },
    owner: { type: "string", default: "acme" },
    repo: { type: "string", default: "gitops" },
    branch: { type: "string", default: "main" },
    token: { type: "string", multiple: true },
    "webhook-url": { type: "string" },
    "webhook-secret": { type: "string" },
    "seed-apps": { type: "string" },
    envs: { type: "string", default: "dev,staging,prod" },
    latency: { type: "string" },
    lenient: { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  const repoDir = values["repo-dir"];
  const branch = values.branch ?? "main";
  // Seed only an empty repository, so restarting the demo keeps its history.
  let seed: Record<string, string> | undefined;
  if (values["seed-apps"]) {
    const existing = repoDir ? await (await GitStore.init(repoDir, branch)).resolveRef(`refs/heads/${branch}`) : undefined;
    if (!existing)
      seed = generateGitOpsRepo({
        apps: Number(values["seed-apps"]),
        environments: (values.envs ?? "").split(",").filter(Boolean),
      });
  }
  const server = await startGitHubServer({
    port: Number(values.port),
    host: values.host ?? "127.0.0.1",
    owner: values.owner ?? "acme",
    repo: values.repo ?? "gitops",
    defaultBranch: branch,
    strict: !values.lenient,
    ...(repoDir ? { repoDir } : {}),
    ...(seed ? { seed } : {}),
    ...(values.token ? { tokens: values.token } : {}),
    ...(values["webhook-url"] ? { webhookUrl: values["webhook-url"] } : {}),
    ...(values["webhook-secret"] ? { webhookSecret: values["webhook-secret"] } : {}),
  });
  if (values.latency) server.control.injectFault({ kind: "latency", ms: Number(values.latency) });
  console.log(`GitHub-compatible server for ${server.owner}/${server.repo} (git: ${server.repoDir})`);
  console.log(`  baseUrl ${server.apiBaseUrl}`);
  console.log(`  control ${server.url}/_control/counters`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
