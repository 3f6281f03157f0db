/**
 * Extracts the subset of GitHub's OpenAPI description that the test server implements,
 * so the server validates against GitHub's own schemas without shipping the 385 MB
 * `@octokit/openapi` package at run time.
 *
 *   npx tsx github-stand-in/extract-openapi.ts \
 *     /tmp/openapi/node_modules/@octokit/openapi/generated/api.github.com.json
 *
 * Writes `openapi/api.github.com.subset.json` beside this file, recording the package version it came from.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Every REST operation Ladder calls, plus the ones the test server offers for merging and cleanup. */
export const OPERATIONS = [
  "repos/get",
  "repos/get-content",
  "repos/list-commits",
  "git/get-ref",
  "git/get-tree",
  "git/get-blob",
  "git/get-commit",
  "git/create-tree",
  "git/create-commit",
  "git/create-ref",
  "git/delete-ref",
  "pulls/create",
  "pulls/list",
  "pulls/get",
  "pulls/update",
  "pulls/merge",
  "issues/create-comment",
  // What gates a merge: reviews, commit statuses, check runs and suites, branch protection.
  "pulls/create-review",
  "pulls/list-reviews",
  "repos/create-commit-status",
  "repos/get-combined-status-for-ref",
  "checks/create",
  "checks/update",
  "checks/list-for-ref",
  "checks/list-suites-for-ref",
  "repos/get-branch-protection",
  "apps/create-installation-access-token",
  // Sign-in: who the OAuth token belongs to, and team membership for ladder.yaml's `org/team` entries.
  "users/get-authenticated",
  "teams/get-membership-for-user-in-org",
] as const;

/** Webhook payloads the server delivers. */
export const WEBHOOKS = [
  "pull-request-opened",
  "pull-request-closed",
  "pull-request-reopened",
  "pull-request-synchronize",
  "pull-request-review-submitted",
  "check-suite-completed",
  "status",
  "push",
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops `example(s)`: GitHub's examples are not all valid, are large, and validation never reads them. */
function stripExamples(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripExamples);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "example" || key === "examples") continue;
    out[key] = stripExamples(child);
  }
  return out;
}

function collectRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") into.add(child);
      else collectRefs(child, into);
    }
  }
}

export function extractSubset(spec: JsonObject, sourceVersion: string): JsonObject {
  const paths = spec.paths;
  const webhooks = spec["x-webhooks"];
  const components = spec.components;
  if (!isObject(paths) || !isObject(webhooks) || !isObject(components)) throw new Error("not a GitHub OpenAPI description");

  const outPaths: JsonObject = {};
  const found = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || typeof op.operationId !== "string") continue;
      if (!(OPERATIONS as readonly string[]).includes(op.operationId)) continue;
      found.add(op.operationId);
      const existing = outPaths[path];
      const pathItem: JsonObject = isObject(existing) ? existing : {};
      pathItem[method] = stripExamples({
        operationId: op.operationId,
        parameters: op.parameters ?? [],
        ...(op.requestBody === undefined ? {} : { requestBody: op.requestBody }),
        responses: op.responses ?? {},
      });
      outPaths[path] = pathItem;
    }
  }
  const missing = OPERATIONS.filter((id) => !found.has(id));
  if (missing.length > 0) throw new Error(`operations missing from the description: ${missing.join(", ")}`);

  const outWebhooks: JsonObject = {};
  for (const name of WEBHOOKS) {
    const hook = webhooks[name];
    if (!isObject(hook)) throw new Error(`webhook missing from the description: ${name}`);
    const post = hook.post;
    if (!isObject(post)) throw new Error(`webhook ${name} has no post`);
    outWebhooks[name] = stripExamples({ post: { requestBody: post.requestBody ?? null } });
  }

  // Transitive closure over `#/components/<kind>/<name>` references.
  const outComponents: Record<string, JsonObject> = {};
  const seen = new Set<string>();
  const queue = new Set<string>();
  collectRefs(outPaths, queue);
  collectRefs(outWebhooks, queue);
  while (queue.size > 0) {
    const [ref] = queue;
    if (ref === undefined) break;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
    if (!match) throw new Error(`unsupported $ref ${ref}`);
    const [, kind = "", name = ""] = match;
    const group = components[kind];
    const target = isObject(group) ? group[name] : undefined;
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    const cleaned = stripExamples(target);
    const bucket = outComponents[kind] ?? {};
    bucket[name] = cleaned;
    outComponents[kind] = bucket;
    const next = new Set<string>();
    collectRefs(cleaned, next);
    for (const r of next) if (!seen.has(r)) queue.add(r);
  }

  return {
    openapi: spec.openapi ?? "3.0.3",
    info: {
      title: "GitHub REST API subset used by Ladder's test server",
      version: isObject(spec.info) ? (spec.info.version ?? "unknown") : "unknown",
      "x-source": { package: "@octokit/openapi", version: sourceVersion, file: "generated/api.github.com.json" },
    },
    paths: outPaths,
    "x-webhooks": outWebhooks,
    components: outComponents,
  };
}

function main(): void {
  const input = process.argv[2];
  if (!input) {
    console.error("usage: extract-openapi.ts <path to @octokit/openapi/generated/api.github.com.json> [out.json]");
    process.exit(2);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const out = process.argv[3] ?? join(here, "openapi", "api.github.com.subset.json");
  const pkg = JSON.parse(readFileSync(resolve(dirname(input), "..", "package.json"), "utf8")) as {
    name?: string;
    version?: string;
  };
  if (pkg.name !== "@octokit/openapi" || !pkg.version)
    throw new Error("expected the file inside an installed @octokit/openapi package");
  const spec = JSON.parse(readFileSync(input, "utf8")) as JsonObject;
  const subset = extractSubset(spec, pkg.version);
  writeFileSync(out, `${JSON.stringify(subset, null, 1)}\n`);
  console.log(`wrote ${out} from @octokit/openapi@${pkg.version}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
