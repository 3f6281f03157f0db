/**
 * One REST or GraphQL request, start to finish: find the route (an unknown endpoint is a
 * violation and a 404), count it, read the body, apply injected latency and faults, check the
 * token, validate the request against the OpenAPI description, run the handler, validate the
 * response, and answer with GitHub's ETag and rate-limit headers. In strict mode a request or
 * response that breaks the description answers 500 instead of going through; either way it is
 * recorded in `violations`.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorised } from "./auth-endpoints";
import type { StandIn } from "./context";
import { answerFault } from "./faults";
import { basicError } from "./github-objects";
import { type HandlerResult, HttpError, type RouteTable, readBody } from "./http";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function handleApi(
  s: StandIn,
  routes: RouteTable,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const { send, validator } = s;
  const method = req.method ?? "GET";
  const matched = routes.match(method, path);
  if (!matched) {
    s.violations.push({
      operationId: `${method} ${path}`,
      phase: "request",
      detail: "endpoint not implemented by the test server",
    });
    send(res, 404, basicError(s.urls, "Not Found", 404));
    return;
  }
  const { route: r, params } = matched;
  s.counters[r.operationId] = (s.counters[r.operationId] ?? 0) + 1;

  // The body is received before any injected latency, as GitHub has the whole request before it
  // acts: a client that dies while GitHub is slow does not undo what GitHub then does.
  const bodyRead = method === "GET" || method === "DELETE" ? Promise.resolve(undefined) : readBody(req);
  bodyRead.catch(() => undefined);
  const { latencyMs, fault } = s.faults.take({ operationId: r.operationId, method, path });
  if (latencyMs > 0) await sleep(latencyMs);
  if (fault && !fault.after) {
    answerFault(s, req, res, fault);
    return;
  }

  if (!authorised(s, req, r.operationId)) {
    send(res, 401, basicError(s.urls, "Bad credentials", 401));
    return;
  }

  let result: HandlerResult;
  try {
    const body = await bodyRead;
    const queryParams = Object.fromEntries(query.entries());
    const requestProblem =
      r.operationId === "graphql" ? undefined : validator.validateRequest(r.operationId, { ...queryParams, ...params }, body);
    if (requestProblem) {
      s.violations.push({ operationId: r.operationId, phase: "request", detail: requestProblem });
      if (s.strict) {
        send(res, 500, basicError(s.urls, `OpenAPI request violation: ${requestProblem}`, 500));
        return;
      }
    }
    result = await r.handler({ params, query, body, headers: req.headers });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    result = {
      status: error.status,
      body: { ...basicError(s.urls, error.message, error.status), ...error.extra },
      headers: error.headers,
    };
  }

  if (fault?.after) {
    // The write happened; the client gets the fault instead of the answer.
    answerFault(s, req, res, fault);
    return;
  }

  const responseProblem =
    r.operationId === "graphql" ? undefined : validator.validateResponse(r.operationId, result.status, result.body);
  if (responseProblem) {
    s.violations.push({ operationId: r.operationId, phase: "response", status: result.status, detail: responseProblem });
    if (s.strict) {
      send(res, 500, basicError(s.urls, `OpenAPI response violation: ${responseProblem}`, 500));
      return;
    }
  }

  if (method === "GET" && result.status === 200) {
    const etag = `"${createHash("sha256").update(JSON.stringify(result.body)).digest("hex").slice(0, 40)}"`;
    const headers = {
      ...result.headers,
      etag,
      "cache-control": "private, max-age=60, s-maxage=60",
      vary: "Accept, Authorization",
    };
    const inm = req.headers["if-none-match"];
    if (inm && inm.replace(/^W\//, "") === etag) {
      // GitHub does not charge a 304 against the rate limit.
      send(res, 304, undefined, headers);
      return;
    }
    s.rate.charge();
    send(res, 200, result.body, headers);
    return;
  }
  s.rate.charge();
  send(res, result.status, result.body, result.headers);
}
