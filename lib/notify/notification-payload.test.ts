import { describe, expect, it } from "vitest";
import { buildPayload, type EventFacts, environmentOf, sequenceKeyOf, slackMessage, slackText } from "./notification-payload";

const at = new Date("2026-03-01T10:00:00.000Z");
const promotion = {
  id: "6f1c2b7e-0000-4000-8000-000000000001",
  app: "api",
  image: "ghcr.io/acme/api",
  fromEnv: "staging",
  toEnv: "prod",
  digest: `sha256:${"ab".repeat(32)}`,
  previousDigest: `sha256:${"cd".repeat(32)}`,
  rollback: false,
  requestedBy: "alice",
  prNumber: 12,
  prUrl: "https://github.com/acme/gitops/pull/12",
};

function event(extra: Partial<EventFacts>): EventFacts {
  return {
    id: "42",
    type: "promotion.merged",
    repository: "acme/gitops",
    actor: "github",
    detail: {},
    hash: "f".repeat(64),
    createdAt: at,
    promotion,
    lock: null,
    ...extra,
  };
}

describe("buildPayload", () => {
  it("a merge: the promotion as this event left it, the audit event, a link into Ladder", () => {
    const payload = buildPayload("d-1", event({}), { publicUrl: "https://ladder.example.com/" });
    expect(payload).toEqual({
      id: "d-1",
      type: "promotion.merged",
      event: "merged",
      occurredAt: "2026-03-01T10:00:00.000Z",
      repository: "acme/gitops",
      actor: "github",
      auditEvent: { id: "42", hash: "f".repeat(64) },
      promotion: {
        ...promotion,
        kind: "image",
        tag: null,
        previousTag: null,
        status: "MERGED",
      },
      lock: null,
      reason: null,
      url: "https://ladder.example.com/history?app=api&env=prod",
    });
    expect(environmentOf(event({}))).toBe("prod");
    expect(sequenceKeyOf(event({}))).toBe(`promotion:${promotion.id}`);
  });

  it("a refusal has no promotion row: what was asked comes from the event, the reasons joined", () => {
    const refused = event({
      type: "promotion.refused",
      actor: "bob",
      promotion: null,
      detail: {
        app: "api",
        fromEnv: "staging",
        toEnv: "prod",
        image: "ghcr.io/acme/api",
        digest: promotion.digest,
        rollback: false,
        reasons: [
          { check: "lock", reason: "prod is locked: incident" },
          { check: "soak", reason: "soaked 1h of 24h" },
        ],
      },
    });
    const payload = buildPayload("d-2", refused);
    expect(payload.promotion).toMatchObject({ id: null, app: "api", toEnv: "prod", status: null, requestedBy: "bob" });
    expect(payload.reason).toBe("prod is locked: incident; soaked 1h of 24h");
    expect(payload.url).toBeNull();
    expect(sequenceKeyOf(refused)).toBeNull();
    expect(slackText(payload)).toBe(
      "[acme/gitops] Promotion of *api* staging → prod (sha256:abababababab) requested by bob was refused: prod is locked: incident; soaked 1h of 24h",
    );
  });

  it("a lock: its row's reason and expiry; an unlock names who released it", () => {
    const lock = {
      id: "7a000000-0000-4000-8000-000000000002",
      app: "*",
      env: "prod",
      reason: "incident <INC-7> & rollback",
      createdBy: "carol",
      expiresAt: new Date("2026-03-02T00:00:00.000Z"),
      releasedBy: null,
    };
    const locked = event({
      type: "environment.locked",
      actor: "carol",
      promotion: null,
      lock,
      detail: { lockId: lock.id, env: "prod" },
    });
    const payload = buildPayload("d-3", locked);
    expect(payload.lock).toEqual({ ...lock, expiresAt: "2026-03-02T00:00:00.000Z" });
    expect(environmentOf(locked)).toBe("prod");
    expect(sequenceKeyOf(locked)).toBe(`lock:${lock.id}`);
    // Slack markup in a reason is escaped, not interpreted.
    expect(slackText(payload)).toBe(
      "[acme/gitops] *prod* locked by carol until 2026-03-02T00:00:00.000Z: incident &lt;INC-7&gt; &amp; rollback",
    );
    const unlocked = buildPayload("d-4", { ...locked, type: "environment.unlocked", actor: "dave" });
    expect(unlocked.lock?.releasedBy).toBe("dave");
    expect(slackText(unlocked)).toBe("[acme/gitops] *prod* unlocked by dave");
  });

  it("Slack text for each promotion event, with the PR linked", () => {
    const text = (type: EventFacts["type"], detail: Record<string, unknown> = {}) =>
      slackText(buildPayload("d", event({ type, detail, actor: "alice" })));
    expect(text("promotion.opened")).toBe(
      "[acme/gitops] Promotion of *api* staging → prod (sha256:abababababab): pull request <https://github.com/acme/gitops/pull/12|#12> opened by alice",
    );
    expect(text("promotion.merged")).toBe(
      "[acme/gitops] Promotion of *api* staging → prod (sha256:abababababab) merged: <https://github.com/acme/gitops/pull/12|#12>",
    );
    expect(text("promotion.closed", { reason: "superseded" })).toContain(
      "closed without merging (<https://github.com/acme/gitops/pull/12|#12>): superseded",
    );
    expect(text("promotion.failed", { error: "GitHub answered 502" })).toContain("failed: GitHub answered 502");
    expect(slackMessage(buildPayload("d", event({}), { publicUrl: "https://l.example.com" })).text).toMatch(
      / · <https:\/\/l\.example\.com\/history\?app=api&amp;env=prod\|Ladder>$/,
    );
  });
});
