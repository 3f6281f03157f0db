/**
 * `proxy` mode: the identity an authenticating reverse proxy (oauth2-proxy and the like) puts
 * in request headers. Believed only when the request's direct peer — the address Ladder's own
 * server saw on the socket, stamped by lib/auth/peer-stamp.ts, never a client-supplied
 * X-Forwarded-For — is one of LADDER_TRUSTED_PROXIES. Anyone else sending the same headers is
 * simply not signed in.
 */
import { BlockList } from "node:net";
import { type AddressRange, parseAddress } from "../env";
import { type Actor, isValidLogin } from "./actor";
import { PEER_HEADER } from "./peer";

export interface ProxyIdentityConfig {
  trustedProxies: readonly AddressRange[];
  userHeader: string;
  emailHeader: string;
  /** False when no launcher stamped the peer: then no header identity is ever believed. */
  peerStamped: boolean;
}

export type ProxyIdentityResult =
  | { ok: true; actor: Actor }
  | { ok: false; reason: "no-identity" | "untrusted-peer" | "peer-unknown" | "invalid-user"; detail: string };

type FamilyLists = Record<AddressRange["family"], BlockList>;

/**
 * One BlockList per family. A single BlockList also matches an IPv4 peer against IPv6 rules
 * (through ::ffff:0:0/96), so "::/0" or "::/64" would trust every IPv4 client; an IPv6 entry
 * here means IPv6 peers only. Built once per list: the configured list never changes.
 */
const compiled = new WeakMap<readonly AddressRange[], FamilyLists>();

function blockLists(ranges: readonly AddressRange[]): FamilyLists {
  const known = compiled.get(ranges);
  if (known) return known;
  const lists: FamilyLists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const range of ranges) lists[range.family].addSubnet(range.address, range.prefix, range.family);
  compiled.set(ranges, lists);
  return lists;
}

/** Whether `address` (a peer as the socket reported it) lies in one of `ranges`; IPv4-mapped IPv6 counts as IPv4. */
export function addressInRanges(address: string, ranges: readonly AddressRange[]): boolean {
  const peer = parseAddress(address);
  return peer !== undefined && blockLists(ranges)[peer.family].check(peer.address, peer.family);
}

interface HeaderSource {
  get(name: string): string | null;
}

export function identityFromProxy(headers: HeaderSource, config: ProxyIdentityConfig): ProxyIdentityResult {
  const user = headers.get(config.userHeader)?.trim();
  if (!user) return { ok: false, reason: "no-identity", detail: `no ${config.userHeader} header` };
  if (!config.peerStamped)
    return {
      ok: false,
      reason: "peer-unknown",
      detail: "the peer address is unknown (Ladder was not started by its launcher), so no proxy header is believed",
    };
  const peer = headers.get(PEER_HEADER)?.trim() ?? "";
  if (!addressInRanges(peer, config.trustedProxies))
    return {
      ok: false,
      reason: "untrusted-peer",
      detail: `${config.userHeader} from ${peer || "an unknown peer"}, which is not a trusted proxy`,
    };
  if (!isValidLogin(user)) return { ok: false, reason: "invalid-user", detail: `${config.userHeader} is not a valid user name` };
  const email = headers.get(config.emailHeader)?.trim();
  return {
    ok: true,
    actor: { login: user, name: user, via: "proxy", ...(email && /^[^\s@]+@[^\s@]+$/.test(email) ? { email } : {}) },
  };
}
