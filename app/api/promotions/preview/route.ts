import { z } from "zod";
import { currentActor } from "@/lib/data/actor";
import { getPromotionPreview } from "@/lib/data/promotions";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a plain name");

const query = z.object({
  app: name,
  to: name,
  from: name.optional(),
  image: z.string().min(1).max(300).optional(),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex>")
    .optional(),
  rollback: z.enum(["1", "true"]).optional(),
});

/** Everything the Promote dialog shows, computed and checked on the server. */
export const GET = route(async (request: Request) => {
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const actor = await currentActor();
  const preview = await getPromotionPreview(
    {
      app: params.app,
      toEnv: params.to,
      fromEnv: params.from,
      image: params.image,
      digest: params.digest,
      rollback: params.rollback !== undefined,
    },
    actor,
  );
  return Response.json(preview, { headers: { "Cache-Control": "no-store" } });
});
