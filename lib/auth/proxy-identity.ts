/**
 * `proxy` mode: the identity an authenticating reverse proxy (oauth2-proxy and the like) puts
 * in request headers. Believed only when the request's direct peer — the address Ladder's own
 * server saw on the socket, stamped by lib/launcher/peer-stamp, never a client-supplied
 * X-Forwarded-For — is one of LADDER_TRUSTED_PROXIES. Anyone else sending the same headers is
 * simply not signed in.
 */
import { type AddressRange, addressBytes } from "../env";
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

export function addressInRanges(address: string, ranges: readonly AddressRange[]): boolean {
  const bytes = addressBytes(address);
  if (!bytes) return false;
  return ranges.some((range) => {
    if (range.bytes.length !== bytes.length) return false;
    let bits = range.prefix;
    for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if (((bytes[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
    }
    return true;
  });
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
