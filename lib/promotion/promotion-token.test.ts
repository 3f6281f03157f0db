import { describe, expect, it } from "vitest";
import { decodePromotionToken, encodePromotionToken, type PromotionToken } from "./promotion-token";

const token: PromotionToken = {
  v: 1,
  app: "api",
  toEnv: "prod",
  fromEnv: "staging",
  image: "ghcr.io/acme/api",
  digest: `sha256:${"a".repeat(64)}`,
  tag: "1.3.0",
  rollback: false,
  commit: "b".repeat(40),
  path: "apps/api/overlays/prod/kustomization.yaml",
  blobSha: "c".repeat(40),
};

describe("promotion token", () => {
  it("round-trips", () => {
    expect(decodePromotionToken(encodePromotionToken(token))).toEqual({ ok: true, token });
  });

  it("refuses garbage, wrong shapes and extra fields with a message", () => {
    expect(decodePromotionToken("%%%")).toMatchObject({ ok: false });
    expect(decodePromotionToken(Buffer.from("[]").toString("base64url"))).toMatchObject({ ok: false });
    const bad = (patch: Record<string, unknown>) =>
      decodePromotionToken(Buffer.from(JSON.stringify({ ...token, ...patch })).toString("base64url"));
    expect(bad({ digest: "latest" })).toMatchObject({ ok: false, message: expect.stringContaining("not a digest") });
    expect(bad({ commit: "main" })).toMatchObject({ ok: false });
    expect(bad({ admin: true })).toMatchObject({ ok: false });
    expect(decodePromotionToken("x".repeat(9000))).toMatchObject({ ok: false });
  });
});
