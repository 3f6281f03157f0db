import { checkDatabase, checkGitHub } from "@/lib/data/status";

export const dynamic = "force-dynamic";

/**
 * Readiness: 200 while the database answers (Ladder cannot record anything
 * without it), 503 otherwise. GitHub's reachability is reported alongside
 * but does not fail the probe: Ladder keeps serving its views and error
 * screens while GitHub is down, and restarting it would not help.
 */
export async function GET() {
  const [database, github] = await Promise.all([checkDatabase(), checkGitHub()]);
  const status = !database.ok ? "unavailable" : github.ok === false ? "degraded" : "ok";
  return Response.json(
    { status, database, github },
    { status: database.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
