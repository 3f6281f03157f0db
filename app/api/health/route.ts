import { getActor } from "@/app/_auth/session";
import { trustedOrigins } from "@/lib/auth/auth-urls";
import { checkDatabase, checkGitHub, pingDatabase } from "@/lib/data/status";
import { serverEnv } from "@/lib/env";
import { publicRoute } from "@/lib/http/handler";
import { checkHost } from "@/lib/security/request-guard";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

/**
 * Readiness: 200 while the database answers (Ladder cannot record anything
 * without it), 503 otherwise.
 *
 * Anyone may ask, with any Host: kubelet probes send `Host: <pod-ip>:3000`
 * and cloud load-balancer health checks often cannot send another, so
 * proxy.ts lets this path through its Host check. What such a caller gets is
 * `{status}` and the HTTP status, nothing else: no repository name, no
 * counts, no GitHub errors — nothing a DNS-rebinding page could want. The
 * details are for a signed-in person asking by Ladder's own name. (A browser
 * never sends Ladder's session cookie to a foreign host name anyway; the
 * Host check here makes that hold for any client.)
 *
 * GitHub's reachability is in the details but does not fail the probe:
 * Ladder keeps serving its views and error screens while GitHub is down,
 * and restarting it would not help.
 */
export const GET = publicRoute(async (request: Request) => {
  if (!namesThisLadder(request) || !(await signedIn())) {
    // One round trip, no table read: anyone can poll this.
    const up = await pingDatabase();
    return Response.json({ status: up ? "ok" : "unavailable" }, { status: up ? 200 : 503, headers: NO_STORE });
  }
  const [database, github] = await Promise.all([checkDatabase(), checkGitHub()]);
  const status = !database.ok ? "unavailable" : github.ok === false ? "degraded" : "ok";
  return Response.json({ status, database, github }, { status: database.ok ? 200 : 503, headers: NO_STORE });
});

/** The Host is Ladder's public name or a loopback name, as a browser on Ladder's own page sends. */
function namesThisLadder(request: Request): boolean {
  const names = new Set(trustedOrigins(serverEnv()).map((origin) => new URL(origin).hostname.toLowerCase()));
  return checkHost(request.headers.get("host"), names).ok;
}

/** Sessions live in the database: with it down the session cannot be checked, and the answer is the bare 503. */
async function signedIn(): Promise<boolean> {
  try {
    return (await getActor()) !== null;
  } catch (error) {
    console.error("health: the session could not be checked", error);
    return false;
  }
}
