import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseWebhook, verifyWebhookSignature, WebhookPayloadError, WebhookSignatureError } from "./webhooks";

const secret = "s3cret";
const sign = (body: string, key = secret) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
const headers = (event: string, signature: string) => (name: string) =>
  ({ "x-github-event": event, "x-github-delivery": "d-1", "x-hub-signature-256": signature })[name];

const pullBody = JSON.stringify({
  action: "closed",
  number: 7,
  repository: { full_name: "acme/gitops" },
  pull_request: {
    html_url: "https://github.com/acme/gitops/pull/7",
    state: "closed",
    merged: true,
    merged_at: "2025-03-01T10:00:00Z",
    merge_commit_sha: "a".repeat(40),
    head: { ref: "ladder/api/prod/0123456789ab", sha: "b".repeat(40) },
    base: { ref: "main" },
  },
});

describe("webhooks", () => {
  it("verifies the HMAC over the raw body", async () => {
    expect(await verifyWebhookSignature(secret, pullBody, sign(pullBody))).toBe(true);
    expect(await verifyWebhookSignature(secret, `${pullBody} `, sign(pullBody))).toBe(false);
    expect(await verifyWebhookSignature(secret, pullBody, sign(pullBody, "other"))).toBe(false);
    expect(await verifyWebhookSignature(secret, pullBody, "sha256=zz")).toBe(false);
    expect(await verifyWebhookSignature(secret, pullBody, undefined)).toBe(false);
  });

  it("rejects a wrong signature", async () => {
    await expect(
      parseWebhook({ rawBody: pullBody, secret, header: headers("pull_request", sign(pullBody, "nope")) }),
    ).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it("reduces a merged pull_request to its state", async () => {
    const event = await parseWebhook({ rawBody: pullBody, secret, header: headers("pull_request", sign(pullBody)) });
    expect(event).toMatchObject({
      kind: "pull_request",
      number: 7,
      state: "merged",
      branch: "ladder/api/prod/0123456789ab",
      mergeCommitSha: "a".repeat(40),
    });
  });

  it("collects changed paths from a push", async () => {
    const body = JSON.stringify({
      ref: "refs/heads/main",
      before: "c".repeat(40),
      after: "d".repeat(40),
      created: false,
      deleted: false,
      repository: { full_name: "acme/gitops" },
      commits: [
        { added: ["b.yaml"], modified: ["a.yaml"], removed: [] },
        { added: [], modified: ["a.yaml"], removed: ["c.yaml"] },
      ],
    });
    const event = await parseWebhook({ rawBody: body, secret, header: headers("push", sign(body)) });
    expect(event).toMatchObject({ kind: "push", branch: "main", changedPaths: ["a.yaml", "b.yaml", "c.yaml"] });
  });

  it("ignores other events and refuses malformed payloads", async () => {
    const ping = "{}";
    expect(await parseWebhook({ rawBody: ping, secret, header: headers("ping", sign(ping)) })).toEqual({
      kind: "ignored",
      deliveryId: "d-1",
      event: "ping",
    });
    await expect(parseWebhook({ rawBody: ping, secret, header: headers("push", sign(ping)) })).rejects.toBeInstanceOf(
      WebhookPayloadError,
    );
  });
});
