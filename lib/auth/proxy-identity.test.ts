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
    expect(parseAddressList("fd00::/129")).toBeUndefined();
    expect(parseAddressList("10.0.0.0/")).toBeUndefined();
    expect(parseAddressList("10.0.0.0/8/9")).toBeUndefined();
    expect(parseAddressList("10.0.0.0/-1")).toBeUndefined();
    expect(parseAddressList("1::2::3")).toBeUndefined();
    expect(parseAddressList("[10.0.0.1]")).toBeUndefined();
    // Leading zeros read as octal in some tools: 010.0.0.1 could mean 8.0.0.1.
    expect(parseAddressList("010.0.0.1")).toBeUndefined();
    expect(parseAddressList("10.0.0.1, nope")).toBeUndefined();
  });

  it("matches IPv6 CIDR ranges at any prefix length", () => {
    const v6 = parseAddressList("2001:db8:abcd:12::/64, 2001:db8:ff00::/40") ?? [];
    expect(addressInRanges("2001:db8:abcd:12::1", v6)).toBe(true);
    expect(addressInRanges("2001:db8:abcd:12:ffff:ffff:ffff:ffff", v6)).toBe(true);
    expect(addressInRanges("2001:db8:abcd:13::1", v6)).toBe(false);
    expect(addressInRanges("2001:db8:ff7f::1", v6)).toBe(true);
    expect(addressInRanges("2001:db8:fe00::1", v6)).toBe(false);
    expect(addressInRanges("2001:DB8:ABCD:12:0:0:0:1", v6)).toBe(true);
  });

  it("treats an IPv4-mapped IPv6 peer or entry as its IPv4 address, in either notation", () => {
    const v4 = parseAddressList("10.0.0.0/8") ?? [];
    expect(addressInRanges("::ffff:10.9.9.9", v4)).toBe(true);
    expect(addressInRanges("0:0:0:0:0:ffff:10.9.9.9", v4)).toBe(true);
    expect(addressInRanges("::ffff:a09:909", v4)).toBe(true); // 10.9.9.9 in hex
    expect(addressInRanges("::ffff:11.0.0.1", v4)).toBe(false);
    const mappedEntry = parseAddressList("::ffff:192.168.1.7") ?? [];
    expect(mappedEntry).toEqual([{ family: "ipv4", address: "192.168.1.7", prefix: 32 }]);
    expect(addressInRanges("192.168.1.7", mappedEntry)).toBe(true);
    expect(addressInRanges("::ffff:192.168.1.7", mappedEntry)).toBe(true);
    expect(addressInRanges("192.168.1.8", mappedEntry)).toBe(false);
    // The prefix counts bits of the IPv4 address the entry stands for, as before BlockList.
    expect(parseAddressList("::ffff:10.0.0.0/8")).toEqual([{ family: "ipv4", address: "10.0.0.0", prefix: 8 }]);
    expect(parseAddressList("::ffff:10.0.0.0/104")).toBeUndefined();
  });

  it("never lets an IPv6 entry cover IPv4 peers, nor an IPv4 entry cover IPv6 peers", () => {
    const v6all = parseAddressList("::/0") ?? [];
    expect(addressInRanges("2001:db8::1", v6all)).toBe(true);
    expect(addressInRanges("203.0.113.9", v6all)).toBe(false);
    expect(addressInRanges("::ffff:203.0.113.9", v6all)).toBe(false);
    const v4all = parseAddressList("0.0.0.0/0") ?? [];
    expect(addressInRanges("203.0.113.9", v4all)).toBe(true);
    expect(addressInRanges("2001:db8::1", v4all)).toBe(false);
    expect(addressInRanges("::1", v4all)).toBe(false);
  });

  it("accepts bracketed IPv6 and drops a zone", () => {
    expect(parseAddressList("[::1], fe80::1%eth0")).toEqual([
      { family: "ipv6", address: "::1", prefix: 128 },
      { family: "ipv6", address: "fe80::1", prefix: 128 },
    ]);
    expect(addressInRanges("fe80::1%eth1", parseAddressList("fe80::/10") ?? [])).toBe(true);
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
