import { z } from "zod";
import { route } from "@/app/_auth/signed-in-route";
import { getPromotionPreview } from "@/lib/data/promotions";
import { appName, environmentName } from "@/lib/security/names";

export const dynamic = "force-dynamic";

const query = z.object({
  app: appName,
  to: environmentName,
  from: environmentName.optional(),
  image: z.string().min(1).max(300).optional(),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex>")
    .optional(),
  rollback: z.enum(["1", "true"]).optional(),
  /** `chart:<name>` or `remote-base:<url without query>`: promote that artifact's version instead of an image. */
  artifact: z
    .string()
    .max(500)
    .regex(/^(chart|remote-base):\S+$/, "must be chart:<name> or remote-base:<url>")
    .transform((v) => {
      const i = v.indexOf(":");
      return { kind: v.slice(0, i) as "chart" | "remote-base", name: v.slice(i + 1) };
    })
    .optional(),
  /** A canary: the one target of `to` to promote into. */
  target: environmentName.optional(),
});

/** Everything the Promote dialog shows, computed and checked on the server. */
export const GET = route(async (request: Request, _context: unknown, actor) => {
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const preview = await getPromotionPreview(
    {
      app: params.app,
      toEnv: params.to,
      fromEnv: params.from,
      image: params.image,
      digest: params.digest,
      rollback: params.rollback !== undefined,
      ...(params.artifact ? { artifact: params.artifact } : {}),
      ...(params.target ? { target: params.target } : {}),
    },
    actor,
  );
  return Response.json(preview, { headers: { "Cache-Control": "no-store" } });
});
