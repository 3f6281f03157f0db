import { describe, expect, it } from "vitest";
import { parseAddressList } from "../env";
import { PEER_HEADER } from "./peer";
import { addressInRanges, identityFromProxy } from "./proxy-identity";

const ranges = parseAddressList("10.0.0.0/8, 192.168.1.7, ::1, fd00::/8") ?? [];
const config = { trustedProxies: ranges, userHeader: "x-forwarded-user", emailHeader: "x-forwarded-email", peerStamped: true };

describe("addressInRanges", () => {
  it("matches CIDR ranges and single hosts, IPv4-mapped IPv6 included", () => {
    expect(addressInRanges("10.1.2.3", ranges)).toBe(true);
    expect(addressInRanges("::ffff:10.1.2.3", ranges)).toBe(true);
    expect(addressInRanges("192.168.1.7", ranges)).toBe(true);
    expect(addressInRanges("192.168.1.8", ranges)).toBe(false);
    expect(addressInRanges("11.0.0.1", ranges)).toBe(false);
    expect(addressInRanges("::1", ranges)).toBe(true);
    expect(addressInRanges("fd12::5", ranges)).toBe(true);
    expect(addressInRanges("fe80::1", ranges)).toBe(false);
    expect(addressInRanges("not-an-ip", ranges)).toBe(false);
    expect(addressInRanges("", ranges)).toBe(false);
  });

  it("rejects malformed lists", () => {
    expect(parseAddressList("10.0.0.0/33")).toBeUndefined();
    expect(parseAddressList("256.1.1.1")).toBeUndefined();
    expect(parseAddressList("proxy.internal")).toBeUndefined();
    expect(parseAddressList("")).toBeUndefined();
  });
});

describe("identityFromProxy", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("believes the headers from a trusted peer", () => {
    const result = identityFromProxy(
      headers({ "x-forwarded-user": "alice", "x-forwarded-email": "alice@acme.test", [PEER_HEADER]: "10.0.0.5" }),
      config,
    );
    expect(result).toEqual({ ok: true, actor: { login: "alice", name: "alice", email: "alice@acme.test", via: "proxy" } });
  });

  it("refuses a forged header from any other address", () => {
    const result = identityFromProxy(headers({ "x-forwarded-user": "admin", [PEER_HEADER]: "203.0.113.9" }), config);
    expect(result).toMatchObject({ ok: false, reason: "untrusted-peer" });
  });

  it("refuses when nothing stamped the peer, even if a client sent one", () => {
    const result = identityFromProxy(headers({ "x-forwarded-user": "admin", [PEER_HEADER]: "10.0.0.5" }), {
      ...config,
      peerStamped: false,
    });
    expect(result).toMatchObject({ ok: false, reason: "peer-unknown" });
  });

  it("ignores X-Forwarded-For entirely", () => {
    const result = identityFromProxy(
      headers({ "x-forwarded-user": "admin", "x-forwarded-for": "10.0.0.5", [PEER_HEADER]: "198.51.100.1" }),
      config,
    );
    expect(result.ok).toBe(false);
  });

  it("refuses user names that are not names", () => {
    const result = identityFromProxy(headers({ "x-forwarded-user": "<script>", [PEER_HEADER]: "10.0.0.5" }), config);
    expect(result).toMatchObject({ ok: false, reason: "invalid-user" });
  });
});
