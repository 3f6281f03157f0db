/**
 * GraphQL, limited to the one query shape Ladder sends for a cold start: blobs by oid, one alias
 * each. GraphQL is not in the OpenAPI description, so the shape is checked here instead; any other
 * query is recorded as a violation and answered with a GraphQL parse error.
 */
import type { StandIn } from "./context";
import { type RouteTable, record, str } from "./http";

const QUERY_SHAPE =
  /^\s*query\s*\(\$owner:\s*String!,\s*\$name:\s*String!\)\s*\{\s*repository\(owner:\s*\$owner,\s*name:\s*\$name\)\s*\{([\s\S]*)\}\s*\}\s*$/;
const BLOB_SELECTION =
  /^\s*(?:\w+:\s*object\(oid:\s*"[0-9a-f]{40}"\)\s*\{\s*\.\.\.\s*on\s+Blob\s*\{\s*oid\s+byteSize\s+isBinary\s+isTruncated\s+text\s*\}\s*\}\s*)+$/;

export function registerGraphql(routes: RouteTable, s: StandIn): void {
  routes.add("POST", "/graphql", "graphql", async ({ body }) => {
    const input = record(body);
    const query = str(input.query) ?? "";
    const variables = record(input.variables);
    const shape = QUERY_SHAPE.exec(query);
    if (!shape?.[1] || !BLOB_SELECTION.test(shape[1])) {
      s.violations.push({
        operationId: "graphql",
        phase: "request",
        detail: `unsupported GraphQL query: ${query.slice(0, 200)}`,
      });
      return { status: 200, body: { errors: [{ message: "Parse error: the test server supports only Ladder's blob query" }] } };
    }
    if (
      str(variables.owner)?.toLowerCase() !== s.owner.toLowerCase() ||
      str(variables.name)?.toLowerCase() !== s.repoName.toLowerCase()
    ) {
      return {
        status: 200,
        body: {
          data: { repository: null },
          errors: [
            {
              type: "NOT_FOUND",
              message: `Could not resolve to a Repository with the name '${str(variables.owner)}/${str(variables.name)}'.`,
            },
          ],
        },
      };
    }
    const repositoryData: Record<string, unknown> = {};
    for (const m of shape[1].matchAll(/(\w+):\s*object\(oid:\s*"([0-9a-f]{40})"\)/g)) {
      const [, alias = "", oid = ""] = m;
      const found = await s.store.object(oid);
      if (found?.type !== "blob") {
        repositoryData[alias] = null;
        continue;
      }
      // GitHub sends text only for non-binary blobs, truncated past ~512 KB.
      const isBinary = found.content.includes(0);
      const isTruncated = found.content.length > 512 * 1024;
      repositoryData[alias] = {
        oid,
        byteSize: found.content.length,
        isBinary,
        isTruncated,
        text: isBinary ? null : found.content.subarray(0, 512 * 1024).toString("utf8"),
      };
    }
    return { status: 200, body: { data: { repository: repositoryData } } };
  });
}
