import { route } from "@/app/_auth/signed-in-route";
import { describeReadFailure } from "@/lib/data/read-failure";
import { getRepository } from "@/lib/data/repository-view";

export const dynamic = "force-dynamic";

/** The branch head the dashboard polls: one conditional request upstream at most. */
export const GET = route(async () => {
  try {
    const view = await getRepository().current();
    return Response.json(
      { commit: view.snapshot.commit, checkedAt: view.checkedAt.toISOString() },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    const failure = describeReadFailure(error);
    return Response.json({ error: failure }, { status: failure.kind === "not-configured" ? 404 : 502 });
  }
});
