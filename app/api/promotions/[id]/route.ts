import { z } from "zod";
import { route } from "@/app/_auth/signed-in-route";
import { getPromotionDetail } from "@/lib/data/history";
import { HttpError } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/** One promotion and its full event trail, for the history drawer. */
export const GET = route(async (_request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = z.uuid().parse((await context.params).id);
  const detail = await getPromotionDetail(id);
  if (!detail) throw new HttpError(404, `No promotion ${id}.`);
  return Response.json(detail, { headers: { "Cache-Control": "no-store" } });
});
