/**
 * A promotion "world" for integration tests: a throwaway Postgres database (migrated), the
 * GitHub-compatible test server (strict OpenAPI mode) seeded with a small Kustomize GitOps repo,
 * a webhook receiver that runs Ladder's real intake (parseWebhook → processWebhook), and
 * PromotionContexts wired to all of it (several, to play separate replicas).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { baseFiles, fakeDigest, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient } from "../../lib/github/client";
import { createGitHubReader } from "../../lib/github/github-reader";
import { parseWebhook } from "../../lib/github/webhooks";
import { WriteQueue } from "../../lib/github/write-queue";
import type { PromotionContext } from "../../lib/promotion/context";
import { processWebhook, type WebhookResult } from "../../lib/promotion/track-pull-requests";
import { RepositoryService } from "../../lib/repository-service/repository-service";
import { createTestDatabase, type TestDatabase } from "./postgres";

export const SECRET = "promotion-webhook-secret";
export const ENVS = ["dev", "staging", "prod"] as const;
export const REPOSITORY = "acme/gitops";
export { baseFiles, fakeDigest, overlayPath };

/** An overlay pinning `digest` and a tag, with a comment that must survive the edit. */
export function overlay(app: string, env: string, image: { digest?: string; tag?: string }): string {
  return [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    `# ${env} overlay for ${app}`,
    "resources:",
    "  - ../../base",
    `namespace: ${app}-${env}`,
    "images:",
    `  - name: ghcr.io/acme/${app}`,
    ...(image.tag ? [`    newTag: "${image.tag}"`] : []),
    ...(image.digest ? [`    digest: ${image.digest}`] : []),
    "",
  ].join("\n");
}

export interface LadderYamlOptions {
  prod?: Record<string, unknown>;
  staging?: Record<string, unknown>;
}

export function ladderYaml(options: LadderYamlOptions = {}): string {
  const env = (name: string, extra: Record<string, unknown> | undefined) =>
    extra && Object.keys(extra).length > 0 ? `  - ${JSON.stringify({ name, ...extra })}` : `  - ${name}`;
  return [
    "version: 1",
    "environments:",
    env("dev", undefined),
    env("staging", options.staging),
    env("prod", options.prod),
    "apps:",
    "  - path: apps/{app}/overlays/{env}",
    "",
  ].join("\n");
}

/** Every app on the ladder: dev runs build 3 (tag 1.3.0), staging build 2 (1.2.0), prod build 1 (1.1.0). */
export function seedRepo(apps: readonly string[], options: LadderYamlOptions = {}): Record<string, string> {
  const files: Record<string, string> = { "ladder.yaml": ladderYaml(options) };
  for (const app of apps) {
    Object.assign(files, baseFiles(app));
    ENVS.forEach((env, i) => {
      files[overlayPath(app, env)] = overlay(app, env, {
        digest: fakeDigest(app, ENVS.length - i),
        tag: `1.${ENVS.length - i}.0`,
      });
    });
  }
  return files;
}

/**
 * A promotion context with its own GitHub client, write queue and repository cache — what one
 * Ladder replica holds. Also used by child processes (test/support/promotion-child.ts).
 */
export function replicaContext(db: Db, apiBaseUrl: string): PromotionContext {
  const github = createGitHubClient({
    auth: { kind: "token", token: "test-token" },
    baseUrl: apiBaseUrl,
    retryBaseMs: 5,
    writeSpacingMs: 0,
  });
  const reader = createGitHubReader({
    client: github,
    owner: "acme",
    repo: "gitops",
    defaultBranch: "main",
    blobCache: new BlobCache(),
  });
  return {
    db,
    github,
    // headTtlMs 0: every read sees the test server's latest commit at once.
    repo: new RepositoryService({ repository: REPOSITORY, branch: "main", reader, headTtlMs: 0 }),
    queue: new WriteQueue(),
  };
}

export interface World {
  db: Db;
  database: TestDatabase;
  server: GitHubServer;
  ctx: PromotionContext;
  /** A context with its own GitHub client, write queue and repository cache: another replica. */
  replica(): PromotionContext;
  webhookResults: Array<WebhookResult | Error>;
  /** Where the test server delivers webhooks (for turning deliveries back on). */
  webhookUrl: string;
  stop(): Promise<void>;
}

export async function startWorld(options: {
  apps: readonly string[];
  ladder?: LadderYamlOptions;
  seedDate?: Date;
}): Promise<World> {
  const database = await createTestDatabase("ladder_promo");
  await migrate(database.url);
  const db = createDb(database.url);
  const webhookResults: Array<WebhookResult | Error> = [];
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      parseWebhook({ rawBody, secret: SECRET, header: (name) => req.headers[name] as string | undefined })
        .then((event) => processWebhook(db, event))
        .then((result) => {
          webhookResults.push(result);
          res.writeHead(200).end();
        })
        .catch((error: Error) => {
          webhookResults.push(error);
          res.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  const server = await startGitHubServer({
    strict: true,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/github`,
    webhookSecret: SECRET,
  });
  await server.control.commit(seedRepo(options.apps, options.ladder), {
    message: "Seed repository",
    replaceAll: true,
    date: options.seedDate ?? new Date(Date.now() - 10 * 86_400_000),
  });
  const replica = (): PromotionContext => replicaContext(db, server.apiBaseUrl);
  return {
    db,
    database,
    server,
    ctx: replica(),
    replica,
    webhookResults,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/github`,
    async stop() {
      await server.control.flushWebhooks().catch(() => undefined);
      await server.stop();
      await new Promise<void>((r) => receiver.close(() => r()));
      await db.$disconnect();
      await database.drop();
    },
  };
}

/** Commits files on main now and returns the commit. */
export async function commit(world: World, files: Record<string, string | null>, message = "Update"): Promise<string> {
  return await world.server.control.commit(files, { message });
}
