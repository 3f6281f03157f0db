import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "./signature";

describe("webhook signatures", () => {
  const body = '{"id":"d-1","type":"promotion.merged"}';

  it("is sha256= and the hex HMAC of the body, as a receiver computes it", () => {
    const hex = createHmac("sha256", "s3cret").update(body).digest("hex");
    expect(signBody("s3cret", body)).toBe(`sha256=${hex}`);
  });

  it("verifies with the secret and nothing else", () => {
    const header = signBody("s3cret", body);
    expect(verifySignature("s3cret", body, header)).toBe(true);
    expect(verifySignature("other", body, header)).toBe(false);
    expect(verifySignature("s3cret", `${body} `, header)).toBe(false);
    expect(verifySignature("s3cret", body, header.slice(0, -1))).toBe(false);
    expect(verifySignature("s3cret", body, undefined)).toBe(false);
  });
});
