/** Which paths need no sign-in, and where sign-in sends people back to. */

/** Reachable without signing in: the sign-in page, health checks, signed webhooks and Better Auth's own endpoints. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === "/signin" ||
    pathname === "/api/health" ||
    pathname === "/api/webhooks/github" ||
    pathname.startsWith("/api/auth/") ||
    pathname === "/favicon.ico" ||
    pathname === "/robots.txt"
  );
}

/** Set on sign-out so `local` mode does not sign the same browser straight back in. */
export const SIGNED_OUT_COOKIE = "ladder-signed-out";

/** A same-site path to return to after sign-in; anything else (absolute URLs, `//host`, `/\host`) becomes "/". */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (value.includes("\\") || [...value].some((c) => c.charCodeAt(0) < 0x20)) return "/";
  try {
    const url = new URL(value, "http://ladder.invalid");
    if (url.origin !== "http://ladder.invalid") return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
