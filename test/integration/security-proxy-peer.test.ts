/**
 * Attack: a client that is not the sign-in proxy sends the proxy's identity headers, and a
 * forged peer header and X-Forwarded-For naming the proxy's address. The peer stamp replaces
 * the forged peer with the socket's real address, so the identity is not believed.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_HEADER } from "@/lib/auth/peer";
import { installPeerStamp, isPeerStamped } from "@/lib/auth/peer-stamp";
import { identityFromProxy } from "@/lib/auth/proxy-identity";
import { parseAddressList } from "@/lib/env";

let server: Server;
let url: string;
let seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  installPeerStamp();
  server = createServer((req, res) => {
    seen.push({ ...req.headers });
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function asHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) if (typeof value === "string") headers.set(key, value);
  return headers;
}

const config = (trusted: string) => ({
  trustedProxies: parseAddressList(trusted) ?? [],
  userHeader: "x-forwarded-user",
  emailHeader: "x-forwarded-email",
  peerStamped: isPeerStamped(),
});

describe("proxy sign-in from a non-proxy address", () => {
  it("replaces a forged peer header with the socket's address and refuses the identity", async () => {
    seen = [];
    await fetch(url, {
      headers: { [PEER_HEADER]: "10.0.0.5", "x-forwarded-for": "10.0.0.5", "x-forwarded-user": "admin" },
    });
    const received = seen[0];
    expect(received?.[PEER_HEADER]).toBe("127.0.0.1");
    const result = identityFromProxy(asHeaders(received ?? {}), config("10.0.0.0/8"));
    expect(result).toMatchObject({ ok: false, reason: "untrusted-peer" });
  });

  it("believes the same headers when the socket really is a trusted proxy", async () => {
    seen = [];
    await fetch(url, { headers: { "x-forwarded-user": "alice", "x-forwarded-email": "alice@acme.test" } });
    const result = identityFromProxy(asHeaders(seen[0] ?? {}), config("127.0.0.1/32"));
    expect(result).toEqual({ ok: true, actor: { login: "alice", name: "alice", email: "alice@acme.test", via: "proxy" } });
  });
});
