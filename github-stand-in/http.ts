/**
 * HTTP plumbing every endpoint shares: the route table (GitHub's path templates → handlers), the
 * error a handler throws to answer as GitHub would, JSON bodies in and out, and the rate-limit
 * headers GitHub sends with every answer.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, "Not Found");
export const unprocessable = (message: string, errors?: unknown[]) => new HttpError(422, message, errors ? { errors } : {});

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
}

export type Handler = (ctx: RequestContext) => Promise<HandlerResult>;

export interface Route {
  method: string;
  operationId: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

function compileTemplate(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  // {ref} and {path} may contain slashes (encoded or not); every other parameter is one segment.
  // An empty content path (`/contents`, Octokit drops the trailing slash) lists the repository root.
  const source = template.replace("/{path}", "(?:/{path})?").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return name === "ref" || name === "path" ? "(.+)" : "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

/** REST routes by method and GitHub's path template, each named by its OpenAPI operationId. */
export class RouteTable {
  private readonly routes: Route[] = [];

  add(method: string, template: string, operationId: string, handler: Handler): void {
    this.routes.push({ method, operationId, handler, ...compileTemplate(template) });
  }

  /** The first route for this method and path, with its decoded path parameters. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { route: r, params };
    }
    return undefined;
  }
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "Problems parsing JSON");
  }
}

/** The core rate limit as the headers report it: each answered request but a 304 costs one. */
export class RateLimit {
  remaining = 5000;

  /** The window always ends an hour from now. */
  resetAt(): number {
    return Math.floor(Date.now() / 1000) + 3600;
  }

  charge(): void {
    this.remaining = Math.max(this.remaining - 1, 0);
  }

  refill(): void {
    this.remaining = 5000;
  }
}

export type Send = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void;

/** Answers JSON with the headers GitHub puts on every API response. */
export function sender(rate: RateLimit): Send {
  return (res, status, body, headers = {}) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": randomUUID(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(rate.remaining),
      "x-ratelimit-reset": String(rate.resetAt()),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(text);
  };
}
