/**
 * One HTTP attempt of one delivery. A generic webhook gets the payload as JSON, signed; a Slack
 * incoming webhook gets `{text}`. URLs and secrets are read from the environment now, by the
 * names the row carries, so a missing variable is this attempt's error ("… is not set"), never
 * a crash, and setting it lets the next retry through. The answer's body is never read or
 * stored: a URL in ladder.yaml must not turn Ladder into a way of reading internal services.
 * Redirects are not followed, for the same reason.
 */
import { notifyVariable } from "../env";
import { type NotificationPayload, slackMessage } from "./notification-payload";
import { SIGNATURE_HEADER, signBody } from "./signature";

export interface DeliveryTarget {
  id: string;
  kind: "slack" | "webhook";
  url: string | null;
  urlEnv: string | null;
  secretEnv: string | null;
  eventType: string;
  payload: NotificationPayload;
}

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface SendOptions {
  timeoutMs: number;
  /** Reads a `LADDER_NOTIFY_*` variable (default: the process environment, through lib/env). */
  variable?: (name: string) => string | undefined;
  fetch?: typeof fetch;
}

export const USER_AGENT = "Ladder-Notifications/1";

function failure(error: string, status: number | null = null): SendResult {
  return { ok: false, status, error };
}

/** Why a fetch failed, in words: refused, timed out, unreachable (never the URL, which may be secret). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs / 1000} s (timed out)`;
  const code = e?.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused (ECONNREFUSED)";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return `the connection was reset (${code})`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `the host name did not resolve (${code})`;
  if (code) return `request failed (${code})`;
  return `request failed (${e?.cause?.message ?? e?.message ?? String(error)})`;
}

export async function sendNotification(delivery: DeliveryTarget, options: SendOptions): Promise<SendResult> {
  const variable = options.variable ?? notifyVariable;
  const doFetch = options.fetch ?? fetch;
  let url = delivery.url;
  if (url === null) {
    if (!delivery.urlEnv) return failure("the target has no URL");
    url = variable(delivery.urlEnv) ?? null;
    if (!url) return failure(`${delivery.urlEnv} is not set`);
    // The value may be a secret (Slack's URL is the credential): name the variable, never the value.
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      return failure(`${delivery.urlEnv} is not an http(s) URL`);
  }
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
  };
  let body: string;
  if (delivery.kind === "webhook") {
    if (!delivery.secretEnv) return failure("the webhook has no secretEnv");
    const secret = variable(delivery.secretEnv);
    if (!secret) return failure(`${delivery.secretEnv} is not set`);
    body = JSON.stringify(delivery.payload);
    headers["x-ladder-delivery"] = delivery.id;
    headers["x-ladder-event"] = delivery.eventType;
    headers[SIGNATURE_HEADER.toLowerCase()] = signBody(secret, body);
  } else {
    body = JSON.stringify(slackMessage(delivery.payload));
  }
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      cache: "no-store",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return failure(describeFetchError(error, options.timeoutMs));
  }
  // Free the connection without reading what the receiver said.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  if (response.status >= 300 && response.status < 400)
    return failure(`HTTP ${response.status}: redirects are not followed`, response.status);
  return failure(`HTTP ${response.status} from the receiver`, response.status);
}
