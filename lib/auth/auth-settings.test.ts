import { describe, expect, it } from "vitest";
import { EnvError, githubWebUrl, parseServerEnv } from "../env";

const variables = (source: Record<string, string>) => {
  try {
    parseServerEnv(source);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.issues.map((i) => i.variable);
    throw error;
  }
};

describe("sign-in settings", () => {
  it("defaults to local outside production and demands a choice in production", () => {
    expect(parseServerEnv({}).auth.mode).toBe("local");
    expect(variables({ NODE_ENV: "production" })).toContain("LADDER_AUTH_MODE");
  });

  it("refuses local sign-in in production unless explicitly allowed", () => {
    const secret = "s".repeat(32);
    expect(variables({ NODE_ENV: "production", LADDER_AUTH_MODE: "local", LADDER_AUTH_SECRET: secret })).toEqual([
      "LADDER_AUTH_MODE",
    ]);
    expect(
      variables({ NODE_ENV: "production", LADDER_AUTH_MODE: "local", LADDER_ALLOW_LOCAL_AUTH: "1", LADDER_AUTH_SECRET: secret }),
    ).toEqual([]);
  });

  it("needs OAuth credentials for github, trusted proxies for proxy, a secret in production", () => {
    expect(variables({ LADDER_AUTH_MODE: "github" })).toEqual(["GITHUB_OAUTH_CLIENT_ID", "GITHUB_OAUTH_CLIENT_SECRET"]);
    expect(variables({ LADDER_AUTH_MODE: "proxy" })).toEqual(["LADDER_TRUSTED_PROXIES"]);
    expect(variables({ LADDER_AUTH_MODE: "proxy", LADDER_TRUSTED_PROXIES: "10.0.0.0/8,oops" })).toEqual([
      "LADDER_TRUSTED_PROXIES",
    ]);
    expect(
      variables({
        NODE_ENV: "production",
        LADDER_AUTH_MODE: "github",
        GITHUB_OAUTH_CLIENT_ID: "id",
        GITHUB_OAUTH_CLIENT_SECRET: "x",
      }),
    ).toEqual(["LADDER_AUTH_SECRET"]);
  });

  it("derives GitHub's web root and the rate limit", () => {
    expect(githubWebUrl("https://api.github.com")).toBe("https://github.com");
    expect(githubWebUrl("https://ghe.acme.test/api/v3")).toBe("https://ghe.acme.test");
    expect(parseServerEnv({ LADDER_PROMOTE_RATE_LIMIT: "3/1h" }).auth.promoteRateLimit).toEqual({
      limit: 3,
      windowMs: 3_600_000,
    });
  });
});
