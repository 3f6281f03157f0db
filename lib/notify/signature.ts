/**
 * The signature of a generic webhook, as GitHub signs its own: `sha256=` and the hex HMAC-SHA256
 * of the raw request body under the target's secret. Receivers verify over the bytes they
 * received, before parsing them (docs/notifications.md has a snippet).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Ladder-Signature-256";

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** True when `header` is the signature of `body` under `secret` (compared in constant time). */
export function verifySignature(secret: string, body: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body), "utf8");
  const given = Buffer.from(header, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
