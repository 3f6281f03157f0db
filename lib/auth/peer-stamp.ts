/**
 * Stamps every incoming HTTP request with the socket's peer address under PEER_HEADER,
 * deleting any value a client sent. Installed once per process from instrumentation.ts, before
 * Next serves a request; `proxy` mode believes identity headers only when this ran.
 */
import http, { type IncomingMessage } from "node:http";
import { PEER_HEADER } from "./peer";

const INSTALLED = Symbol.for("ladder.peer-stamp");

export function stampPeer(req: IncomingMessage): void {
  const peer = req.socket?.remoteAddress ?? "";
  delete req.headers[PEER_HEADER];
  for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) {
    if (req.rawHeaders[i]?.toLowerCase() === PEER_HEADER) req.rawHeaders.splice(i, 2);
  }
  req.headers[PEER_HEADER] = peer;
  req.rawHeaders.push(PEER_HEADER, peer);
}

export function installPeerStamp(): void {
  if (Reflect.get(process, INSTALLED) === true) return;
  const original = http.Server.prototype.emit;
  http.Server.prototype.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request" && args[0] !== undefined) stampPeer(args[0] as IncomingMessage);
    return Reflect.apply(original, this, [event, ...args]) as boolean;
  } as typeof original;
  Reflect.set(process, INSTALLED, true);
}

/** True once installPeerStamp ran in this process (shared by every bundle Next loads). */
export function isPeerStamped(): boolean {
  return Reflect.get(process, INSTALLED) === true;
}
