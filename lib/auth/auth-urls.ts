/** Where Ladder believes it is served: LADDER_PUBLIC_URL, else the address it listens on. */
import type { ServerEnv } from "../env";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || hostname.toLowerCase().endsWith(".localhost");
}

export function publicOrigin(env: Pick<ServerEnv, "LADDER_PUBLIC_URL" | "HOST" | "PORT">): string {
  if (env.LADDER_PUBLIC_URL) return new URL(env.LADDER_PUBLIC_URL).origin;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  return `http://${host}:${env.PORT}`;
}

/** The origins a browser may send state-changing requests from: the public one and, on a loopback listener, its aliases. */
export function trustedOrigins(env: Pick<ServerEnv, "LADDER_PUBLIC_URL" | "HOST" | "PORT">): string[] {
  const origin = publicOrigin(env);
  const url = new URL(origin);
  if (!isLoopbackHost(url.hostname)) return [origin];
  return [
    ...new Set([
      origin,
      ...["localhost", "127.0.0.1", "[::1]"].map(
        (h) => `${url.protocol}//${h}:${url.port || (url.protocol === "https:" ? 443 : 80)}`,
      ),
    ]),
  ];
}
