import { getRepository } from "@/lib/data/repository";
import { serverEnv } from "@/lib/env";
import { parseWebhook, WebhookPayloadError, WebhookSignatureError } from "@/lib/github/webhooks";

export const dynamic = "force-dynamic";

/**
 * GitHub's `push` and `pull_request` webhooks. The signature is checked on
 * the raw bytes before anything is parsed; a push to the watched branch
 * drops the cached head so the next view (and every polling dashboard) sees
 * the new commit at once.
 */
export async function POST(request: Request) {
  const env = serverEnv();
  if (!env.GITHUB_WEBHOOK_SECRET) {
    return Response.json({ message: "Webhooks are not configured: set GITHUB_WEBHOOK_SECRET." }, { status: 404 });
  }
  const rawBody = await request.text();
  let event: Awaited<ReturnType<typeof parseWebhook>>;
  try {
    event = await parseWebhook({ rawBody, header: (name) => request.headers.get(name), secret: env.GITHUB_WEBHOOK_SECRET });
  } catch (error) {
    if (error instanceof WebhookSignatureError || error instanceof WebhookPayloadError) {
      return Response.json({ message: error.message }, { status: error.status });
    }
    throw error;
  }
  if (event.kind === "push") {
    const repository = getRepository();
    const watched = event.repository.toLowerCase() === repository.repository.toLowerCase() && event.branch === repository.branch;
    if (watched) repository.invalidate();
    return Response.json({ delivery: event.deliveryId, outcome: watched ? "invalidated" : "ignored" }, { status: 202 });
  }
  return Response.json({ delivery: event.deliveryId, outcome: "ignored" }, { status: 202 });
}
