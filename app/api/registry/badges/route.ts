import { z } from "zod";
import { route } from "@/app/_auth/signed-in-route";
import { cellBadge } from "@/components/registry/evidence-view";
import { getRegistryEvidence, pinnedImagesAtHead, registryEvidenceEnabled, registryViewOf } from "@/lib/data/registry";
import { HttpError } from "@/lib/http/handler";
import { mapLimit } from "@/lib/util/map-limit";

export const dynamic = "force-dynamic";

/** A page's pinned references; a page of 50 rows × many environments stays far below the cap. */
const body = z.object({
  refs: z
    .array(
      z
        .string()
        .max(400)
        .regex(/^[^@\s]+@sha256:[0-9a-f]{64}$/, "must be repository@sha256:<64 hex>"),
    )
    .max(2000),
});

/**
 * The matrix's registry badges for the references it shows, in one request after the page is
 * drawn (components/matrix/registry-badges.tsx). One page view: one request budget, the signing
 * keys of ladder.yaml at the head. References the head does not pin are ignored, not looked up.
 */
export const POST = route(async (request: Request) => {
  const json = await request.json().catch(() => {
    throw new HttpError(400, 'The body must be JSON: {"refs": ["repository@sha256:…"]}');
  });
  const { refs } = body.parse(json);
  if (!registryEvidenceEnabled()) return Response.json({}, { headers: { "Cache-Control": "no-store" } });
  const [known, view] = await Promise.all([pinnedImagesAtHead(), registryViewOf()]);
  const wanted = [...new Set(refs)].filter((r) => known.has(r));
  const answers = await mapLimit(wanted, 8, async (ref) => {
    const at = ref.lastIndexOf("@");
    const evidence = await getRegistryEvidence(ref.slice(0, at), ref.slice(at + 1), view);
    return [ref, evidence ? cellBadge(evidence) : undefined] as const;
  });
  const out: Record<string, NonNullable<ReturnType<typeof cellBadge>>> = {};
  for (const [ref, badge] of answers) if (badge) out[ref] = badge;
  return Response.json(out, { headers: { "Cache-Control": "no-store" } });
});
