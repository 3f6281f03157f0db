import { z } from "zod";
import { route } from "@/app/_auth/signed-in-route";
import { getBundlePreview, getBundleRollbackPreview } from "@/lib/data/bundles";
import { MAX_BUNDLE_APPS } from "@/lib/promotion/bundle-token";
import { appName, environmentName } from "@/lib/security/names";

export const dynamic = "force-dynamic";

const query = z.object({
  to: environmentName,
  from: environmentName.optional(),
  app: z.array(appName).max(MAX_BUNDLE_APPS).default([]),
  waiting: z.enum(["1", "true"]).optional(),
  /** A bundle id: roll back every app it merged. */
  rollback: z.uuid().optional(),
});

/** The bundle dialog's content: each app's diff and checks, the refused ones with their reasons. */
export const GET = route(async (request: Request, _context: unknown, actor) => {
  const search = new URL(request.url).searchParams;
  const params = query.parse({
    to: search.get("to") ?? undefined,
    from: search.get("from") ?? undefined,
    app: search.getAll("app"),
    waiting: search.get("waiting") ?? undefined,
    rollback: search.get("rollback") ?? undefined,
  });
  if (params.rollback) {
    const preview = await getBundleRollbackPreview(params.rollback, actor);
    return Response.json(preview, { headers: { "Cache-Control": "no-store" } });
  }
  const preview = await getBundlePreview(
    {
      toEnv: params.to,
      apps: params.app,
      waiting: params.waiting !== undefined,
      ...(params.from ? { fromEnv: params.from } : {}),
    },
    actor,
  );
  return Response.json(preview, { headers: { "Cache-Control": "no-store" } });
});
