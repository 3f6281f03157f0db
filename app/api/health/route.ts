import { checkDatabase } from "@/lib/data/status";

export const dynamic = "force-dynamic";

/** Liveness and readiness in one: 200 when the database answers, 503 otherwise. */
export async function GET() {
  const database = await checkDatabase();
  return Response.json(
    { status: database.ok ? "ok" : "unavailable", database },
    { status: database.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
