/**
 * A small HTTP stand-in in front of the local registry, for what a real registry does on a bad
 * day and for the parts of the API Distribution 2.8 lacks: it passes every request through, and
 * can be told to
 * - `delay` answers (a registry that times out), answer a `status` (5xx, 429 with Retry-After),
 *   or `corrupt` manifest and blob bodies (a newline appended: still JSON, other bytes, so a
 *   digest check is the only thing that notices);
 * - demand Bearer tokens the way Docker Hub, GHCR and Quay do: a 401 with
 *   `WWW-Authenticate: Bearer realm="<proxy>/token",service="…",scope="repository:<name>:pull"`,
 *   and a token endpoint that hands out tokens anonymously or only for given Basic credentials;
 * - answer the OCI 1.1 referrers API (`/v2/<name>/referrers/<digest>`) from the referrers tag
 *   schema's index, as a registry with the API would (an empty index when there is none).
 * Every request is recorded (method, path, Authorization) so tests count and inspect them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type Fault =
  | { kind: "none" }
  | { kind: "delay"; ms: number }
  | { kind: "status"; status: number; retryAfter?: string }
  | { kind: "corrupt" };

export interface BearerAuth {
  /** Tokens only for these Basic credentials; absent: tokens for anyone (an anonymous pull). */
  username?: string;
  password?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FaultProxy {
  host: string;
  url: string;
  fault: Fault;
  /** Only requests whose path matches are faulted (default: every /v2/ request). */
  faultPath: RegExp;
  requests: RecordedRequest[];
  /** Tokens handed out, with the scope each was asked for. */
  tokens: { token: string; scope: string | null; basic: string | undefined }[];
  close(): Promise<void>;
}

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export async function startFaultProxy(
  upstream: string,
  options: { bearer?: BearerAuth; referrersApi?: boolean } = {},
): Promise<FaultProxy> {
  const issued = new Set<string>();
  let server: Server | undefined;
  const state: FaultProxy = {
    host: "",
    url: "",
    fault: { kind: "none" },
    faultPath: /^\/v2\//,
    requests: [],
    tokens: [],
    close: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://proxy");
    state.requests.push({
      method: req.method ?? "GET",
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });

    if (url.pathname === "/token") {
      const bearer = options.bearer;
      const basic = req.headers.authorization;
      const expected =
        bearer?.username !== undefined
          ? `Basic ${Buffer.from(`${bearer.username}:${bearer.password ?? ""}`).toString("base64")}`
          : undefined;
      if (expected && basic !== expected) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const token = `tok-${state.tokens.length + 1}`;
      issued.add(token);
      state.tokens.push({ token, scope: url.searchParams.get("scope"), basic });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }

    if (options.bearer && url.pathname.startsWith("/v2/")) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!token || !issued.has(token)) {
        const name = /^\/v2\/(.+?)\/(?:manifests|blobs|referrers)\//.exec(url.pathname)?.[1] ?? "";
        res
          .writeHead(401, {
            "content-type": "application/json",
            "www-authenticate": `Bearer realm="${state.url}/token",service="ladder-test-registry",scope="repository:${name}:pull"`,
          })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }

    const fault = state.faultPath.test(url.pathname) ? state.fault : ({ kind: "none" } as const);
    if (fault.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault.kind === "status") {
      res.writeHead(fault.status, {
        "content-type": "application/json",
        ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}),
      });
      res.end('{"errors":[{"code":"UNAVAILABLE"}]}');
      return;
    }

    const referrers = /^\/v2\/(.+)\/referrers\/([a-z0-9]+):([a-f0-9]+)$/.exec(url.pathname);
    if (referrers && options.referrersApi) {
      const [, name, algorithm, hex] = referrers;
      const tagged = await fetch(`${upstream}/v2/${name}/manifests/${algorithm}-${hex}`, { headers: { accept: OCI_INDEX } });
      const body =
        tagged.status === 200
          ? Buffer.from(await tagged.arrayBuffer())
          : Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }));
      res.writeHead(200, { "content-type": OCI_INDEX, "content-length": body.length }).end(body);
      return;
    }

    const headers: Record<string, string> = {};
    if (req.headers.accept) headers.accept = req.headers.accept;
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`, { method: req.method, headers, redirect: "manual" });
    let body = Buffer.from(await answer.arrayBuffer());
    if (fault.kind === "corrupt" && /\/(manifests|blobs)\//.test(url.pathname) && answer.status === 200)
      body = Buffer.concat([body, Buffer.from("\n")]);
    const out: Record<string, string | number> = { "content-length": body.length };
    for (const h of ["content-type", "docker-content-digest", "location", "retry-after"]) {
      const v = answer.headers.get(h);
      if (v) out[h] = v;
    }
    res.writeHead(answer.status, out).end(req.method === "HEAD" ? undefined : body);
  }

  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`fault proxy: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  state.host = `127.0.0.1:${port}`;
  state.url = `http://${state.host}`;
  return state;
}
