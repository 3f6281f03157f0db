/**
 * Runs before every request Next routes (Next 16's proxy, formerly middleware), in Node:
 *   1. the Host must name this Ladder (DNS rebinding onto a loopback listener is refused);
 *   2. a state-changing request must come from Ladder's own origin (route handlers and server
 *      actions alike; GitHub's signed webhooks excepted);
 *   3. app names in /apps/… must be names, not paths;
 *   4. everything but the sign-in page, /api/health, /api/webhooks/github and /api/auth/* needs
 *      a signed-in person — checked against the database here, and again by getActor() in
 *      pages, server actions and route handlers;
 *   5. every response gets a Content-Security-Policy with a fresh nonce.
 */
import { type NextRequest, NextResponse } from "next/server";
import { getAuth } from "@/app/_auth/auth";
import { actorFromHeaders } from "@/app/_auth/session";
import { isLoopbackHost, trustedOrigins } from "@/lib/auth/auth-urls";
import { isPublicPath, SIGNED_OUT_COOKIE } from "@/lib/auth/routes";
import { serverEnv } from "@/lib/env";
import { contentSecurityPolicy, createNonce } from "@/lib/security/csp";
import { isSafeName } from "@/lib/security/names";
import { checkHost, checkOrigin, requestOrigin } from "@/lib/security/request-guard";

function allowedHostnames(): ReadonlySet<string> | undefined {
  const env = serverEnv();
  if (env.LADDER_PUBLIC_URL) return new Set([new URL(env.LADDER_PUBLIC_URL).hostname.toLowerCase()]);
  if (isLoopbackHost(env.HOST)) return new Set([env.HOST.toLowerCase()]);
  // Listening on a real interface without LADDER_PUBLIC_URL: the name people use is unknown.
  return undefined;
}

function refuse(status: number, message: string, api: boolean): NextResponse {
  return api
    ? NextResponse.json(
        { error: { code: status === 401 ? "unauthenticated" : "refused", message } },
        { status, headers: { "Cache-Control": "no-store" } },
      )
    : new NextResponse(message, {
        status,
        headers: { "content-type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      });
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const env = serverEnv();
  const { pathname } = request.nextUrl;
  const api = pathname.startsWith("/api/");

  const host = checkHost(request.headers.get("host"), allowedHostnames());
  // Health answers any Host: kubelet probes send the pod IP and cloud load-balancer checks often
  // cannot send another. With a foreign Host it says up or down only (app/api/health/route.ts).
  if (!host.ok && pathname !== "/api/health") return refuse(host.status, host.reason, api);

  if (pathname !== "/api/webhooks/github") {
    const own = requestOrigin(request.headers, request.nextUrl.protocol);
    const origins = [...trustedOrigins(env), ...(own && host.ok && allowedHostnames() ? [own] : [])];
    const origin = checkOrigin(request.method, request.headers, origins);
    if (!origin.ok) return refuse(origin.status, origin.reason, api);
  }

  const appSegment = /^\/apps\/([^/]+)/.exec(pathname)?.[1];
  if (appSegment !== undefined) {
    let name: string;
    try {
      name = decodeURIComponent(appSegment);
    } catch {
      return refuse(404, "Not found", api);
    }
    if (!isSafeName(name)) return refuse(404, "Not found", api);
  }

  if (!isPublicPath(pathname)) {
    const actor = await actorFromHeaders(request.headers);
    if (!actor) {
      if (api) return refuse(401, "Sign in first.", true);
      const back = `${pathname}${request.nextUrl.search}`;
      // Only a real page load signs in: never a prefetch or an RSC fetch racing a sign-out.
      const pageLoad =
        request.headers.get("sec-fetch-dest") === "document" || (request.headers.get("accept") ?? "").includes("text/html");
      const background =
        request.headers.has("rsc") ||
        request.headers.has("next-router-prefetch") ||
        request.headers.get("purpose") === "prefetch";
      if (
        env.auth.mode === "local" &&
        request.method === "GET" &&
        pageLoad &&
        !background &&
        !request.cookies.has(SIGNED_OUT_COOKIE)
      ) {
        // The one local user: sign this browser in and come straight back.
        const signIn = await getAuth().api.ladderLocalSignIn({ headers: request.headers, asResponse: true });
        const response = NextResponse.redirect(new URL(back, request.url), 303);
        for (const cookie of signIn.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
        return withSecurityHeaders(response, createNonce(), env);
      }
      const signin = new URL("/signin", request.url);
      if (back !== "/") signin.searchParams.set("next", back);
      return withSecurityHeaders(NextResponse.redirect(signin, 303), createNonce(), env);
    }
  }

  const nonce = createNonce();
  const requestHeaders = new Headers(request.headers);
  const csp = policy(nonce, env);
  // Next reads the nonce from the request's CSP header and puts it on its own scripts.
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  return withSecurityHeaders(response, nonce, env, csp);
}

function policy(nonce: string, env: ReturnType<typeof serverEnv>): string {
  return contentSecurityPolicy({
    nonce,
    dev: env.NODE_ENV === "development",
    formActions: env.auth.mode === "github" && env.auth.github ? [env.auth.github.webUrl] : [],
  });
}

function withSecurityHeaders(
  response: NextResponse,
  nonce: string,
  env: ReturnType<typeof serverEnv>,
  csp = policy(nonce, env),
): NextResponse {
  response.headers.set("content-security-policy", csp);
  if (env.LADDER_PUBLIC_URL?.startsWith("https:"))
    response.headers.set("strict-transport-security", "max-age=31536000; includeSubDomains");
  return response;
}

export const config = {
  // Static build output needs none of this; everything else, API routes included, does — but the
  // GitHub webhook: Next buffers a request's body for the proxy before the route runs (up to
  // proxyClientMaxBodySize), which would defeat the route's 25 MB streaming bound. Its HMAC
  // signature, checked on the raw bytes, is its authentication; it renders nothing a CSP protects.
  matcher: ["/((?!_next/static|_next/image|api/webhooks/github$).*)"],
};
