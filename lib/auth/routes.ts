/** Which paths need no sign-in, and where sign-in sends people back to. */

/**
 * Reachable without signing in: the sign-in page, health checks, signed webhooks, Better Auth's own
 * endpoints, and the icons and robots.txt a browser or crawler fetches by fixed URL (the sign-in
 * page shows the icon too). Files by exact name, never a folder: every other file needs a session.
 */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === "/signin" ||
    pathname === "/api/health" ||
    pathname === "/api/webhooks/github" ||
    pathname.startsWith("/api/auth/") ||
    // public/ (test/unit/public-files.test.ts holds every file there to this list) and Next's app/icon.svg.
    pathname === "/favicon.ico" ||
    pathname === "/apple-touch-icon.png" ||
    pathname === "/robots.txt" ||
    pathname === "/icon.svg"
  );
}

/** Set on sign-out so `local` mode does not sign the same browser straight back in. */
export const SIGNED_OUT_COOKIE = "ladder-signed-out";

/** Longest return path kept; the signIn form accepts as much, and a Location header must stay well under header limits. */
export const MAX_RETURN_PATH = 2000;

const ORIGIN = "http://ladder.invalid";

/**
 * A same-origin path to return to after sign-in; anything else becomes "/". Every `next` the
 * sign-in page and the signIn action redirect to comes through here.
 *
 * The check that matters is on the *normalised* answer, not the input: the URL parser resolves
 * dot segments (`/.//evil`, `/..//evil`, `/%2e%2e//evil` all become `//evil`), and a Location of
 * `//evil` is another origin. So the answer must be `/` then neither `/` nor `\`. The input checks
 * before parsing refuse what the parser would silently drop or reinterpret (controls, `\`).
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length > MAX_RETURN_PATH || !value.startsWith("/")) return "/";
  // Backslashes read as slashes, and tabs and newlines vanish, when a browser parses a URL.
  if (value.includes("\\") || [...value].some((c) => c.charCodeAt(0) < 0x20)) return "/";
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== ORIGIN) return "/";
  // An encoded slash or backslash names no Ladder page, and one careless decode away it is `//evil`.
  if (/%(?:2f|5c)/i.test(url.pathname)) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path !== "/" && !/^\/[^/\\]/.test(path)) return "/";
  // Percent-encoding can make a short input long (U+2215 is nine bytes encoded).
  if (path.length > MAX_RETURN_PATH) return "/";
  return path;
}
