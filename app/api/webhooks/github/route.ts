import { refreshAfterWebhook } from "@/lib/data/promotions";
import { getRepository } from "@/lib/data/repository-view";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { parseWebhook, WEBHOOK_MAX_BYTES, WebhookPayloadError, WebhookSignatureError } from "@/lib/github/webhooks";
import { publicRoute } from "@/lib/http/handler";
import { BodyTooLargeError, readTextBody } from "@/lib/http/read-body";
import { processWebhook } from "@/lib/promotion/track-pull-requests";

export const dynamic = "force-dynamic";

/**
 * GitHub's `push`, `pull_request`, `pull_request_review`, `check_suite` and `status` webhooks. The signature is checked on
 * the raw bytes before anything is parsed. Anyone can send this route a
 * body, so it is read with a bound: no signature header, no read at all;
 * over GitHub's 25 MB cap, 413, before reading when Content-Length says so
 * and as soon as the count passes it otherwise. Each delivery id is processed
 * once (a replay is acknowledged and ignored). A pull request closing moves
 * its promotion to MERGED or CLOSED; a push to the watched branch drops the
 * cached head so every open dashboard sees the new commit on its next poll. A review, a finished
 * check suite or a commit status re-reads the named promotions' review and check status from
 * GitHub once the delivery is recorded (and auto-merges where ladder.yaml says so).
 */
export const POST = publicRoute(async (request: Request) => {
  const env = serverEnv();
  if (!env.GITHUB_WEBHOOK_SECRET) {
    return Response.json({ message: "Webhooks are not configured: set GITHUB_WEBHOOK_SECRET." }, { status: 404 });
  }
  if (!request.headers.get("x-hub-signature-256")) {
    return Response.json({ message: new WebhookSignatureError().message }, { status: 401 });
  }
  let rawBody: string;
  try {
    rawBody = await readTextBody(request, WEBHOOK_MAX_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return Response.json({ message: "Webhook body is over GitHub's 25 MB limit." }, { status: 413 });
    }
    throw error;
  }
  let event: Awaited<ReturnType<typeof parseWebhook>>;
  try {
    event = await parseWebhook({ rawBody, header: (name) => request.headers.get(name), secret: env.GITHUB_WEBHOOK_SECRET });
  } catch (error) {
    if (error instanceof WebhookSignatureError || error instanceof WebhookPayloadError) {
      return Response.json({ message: error.message }, { status: error.status });
    }
    throw error;
  }
  const result = await processWebhook(db(), event);
  if (result.outcome === "refresh") await refreshAfterWebhook(result.promotionIds);
  if (result.outcome === "invalidate" && event.kind === "push") {
    const repository = getRepository();
    if (event.repository.toLowerCase() === repository.repository.toLowerCase() && result.branch === repository.branch) {
      repository.invalidate();
    }
  }
  return Response.json(result, { status: 202 });
});
