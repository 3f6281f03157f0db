/**
 * The request header carrying the socket's peer address. Written by Ladder's own HTTP layer
 * (instrumentation.ts installs lib/auth/peer-stamp.ts), which first deletes whatever a client
 * sent under the same name, so the value is never attacker-controlled.
 */
export const PEER_HEADER = "x-ladder-peer";
