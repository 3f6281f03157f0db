/**
 * Runs once per server process before Next serves a request. Installs the peer-address stamp
 * that `proxy` sign-in relies on (lib/auth/peer-stamp.ts) and starts the notification worker
 * (lib/notify/start-from-env.ts), whichever way the server was started:
 * `npm start`, `npm run dev`, the demo or the container's standalone server.
 */
export async function register(): Promise<void> {
  // Next's own switch between its runtimes (set by Next, not by an operator).
  // biome-ignore lint/style/noProcessEnv: NEXT_RUNTIME is Next's, not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installPeerStamp } = await import("./lib/auth/peer-stamp");
  installPeerStamp();
  // Delivers ladder.yaml `notify:` notifications from the database outbox (lib/notify); runs
  // beside the server, never inside a request.
  const { startNotificationsFromEnv } = await import("./lib/notify/start-from-env");
  startNotificationsFromEnv();
}
