import { afterEach, describe, expect, it } from "vitest";
import { clearGitHubClients, clientKey, createGitHubClient, getGitHubClient } from "./client";

afterEach(() => clearGitHubClients());

describe("GitHub client factory", () => {
  it("keeps one client per installation or token per base URL", () => {
    const a = getGitHubClient({ auth: { kind: "token", token: "t1" } });
    expect(getGitHubClient({ auth: { kind: "token", token: "t1" } })).toBe(a);
    expect(getGitHubClient({ auth: { kind: "token", token: "t2" } })).not.toBe(a);
    expect(getGitHubClient({ auth: { kind: "token", token: "t1" }, baseUrl: "https://ghe.example.com/api/v3/" })).not.toBe(a);
  });

  it("never puts the token in the cache key", () => {
    const key = clientKey({ auth: { kind: "token", token: "ghp_secret" } });
    expect(key).not.toContain("ghp_secret");
    expect(clientKey({ auth: { kind: "app", appId: 7, privateKey: "k", installationId: 9 }, baseUrl: "http://ghe/api/v3" })).toBe(
      "http://ghe/api/v3|app:7:9",
    );
  });

  it("normalises the base URL for GitHub Enterprise", () => {
    const client = createGitHubClient({ auth: { kind: "token", token: "t" }, baseUrl: "http://ghe.local/api/v3/" });
    expect(client.baseUrl).toBe("http://ghe.local/api/v3");
    expect(client.octokit.request.endpoint.DEFAULTS.baseUrl).toBe("http://ghe.local/api/v3");
  });
});
