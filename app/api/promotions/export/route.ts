import { route } from "@/app/_auth/signed-in-route";
import { exportHistory, parseHistoryQuery } from "@/lib/data/history";

export const dynamic = "force-dynamic";

/** The filtered history as CSV or JSON, as a download. */
export const GET = route(async (request: Request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format === "json" ? "json" : "csv";
  const file = await exportHistory(parseHistoryQuery(params), format);
  return new Response(file.body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
      "X-Ladder-Rows": String(file.rows),
      ...(file.truncated ? { "X-Ladder-Truncated": "true" } : {}),
    },
  });
});
