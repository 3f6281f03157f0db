import { describe, expect, test } from "vitest";
import { EnvError, parseServerEnv } from "./env";

function errorOf(source: Record<string, string | undefined>): EnvError {
  try {
    parseServerEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected an EnvError");
}

describe("parseServerEnv", () => {
  test("defaults: embedded database, public GitHub, no credentials", () => {
    const env = parseServerEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.GITHUB_API_URL).toBe("https://api.github.com");
    expect(env.githubAuth).toEqual({ kind: "none" });
    expect(env.PORT).toBe(3000);
    expect(env.LADDER_BRANCH).toBe("main");
    expect(env.dataDir).toMatch(/\/data$/);
  });

  test("an empty variable counts as unset", () => {
    expect(parseServerEnv({ DATABASE_URL: "", GITHUB_TOKEN: "  " }).DATABASE_URL).toBeUndefined();
  });

  test("a token, or a complete GitHub App, selects the auth mode", () => {
    expect(parseServerEnv({ GITHUB_TOKEN: "ghp_x" }).githubAuth).toEqual({ kind: "token", token: "ghp_x" });
    const app = parseServerEnv({
      GITHUB_APP_ID: "12",
      GITHUB_APP_INSTALLATION_ID: "34",
      GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----",
      GITHUB_TOKEN: "ghp_x",
    });
    expect(app.githubAuth).toMatchObject({ kind: "app", appId: 12, installationId: 34 });
    // Escaped newlines from a one-line variable become real ones.
    expect(app.githubAuth.kind === "app" && app.githubAuth.privateKey.split("\n")).toHaveLength(3);
  });

  test("names each bad variable and what is wrong with it", () => {
    const error = errorOf({ DATABASE_URL: "mysql://x", PORT: "99999", GITHUB_API_URL: "api.github.com" });
    expect(error.issues.map((i) => i.variable).sort()).toEqual(["DATABASE_URL", "GITHUB_API_URL", "PORT"]);
    expect(error.message).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL");
    expect(error.message).toContain('GITHUB_API_URL must be an http(s) URL (got "api.github.com")');
    expect(error.message).toContain("PORT must be a port number");
  });

  test("never echoes a secret's value", () => {
    const error = errorOf({ GITHUB_WEBHOOK_SECRET: "short", DATABASE_URL: "postgres://u:hunter2@/" });
    expect(error.message).not.toContain('short"');
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain("GITHUB_WEBHOOK_SECRET must be at least 8 characters");
  });

  test("a partial GitHub App configuration names the missing pieces", () => {
    const error = errorOf({ GITHUB_APP_ID: "12" });
    expect(error.issues).toEqual([
      { variable: "GITHUB_APP_PRIVATE_KEY", message: "is required when any GITHUB_APP_* variable is set" },
      { variable: "GITHUB_APP_INSTALLATION_ID", message: "is required when any GITHUB_APP_* variable is set" },
    ]);
  });

  test("rejects a malformed repository name", () => {
    expect(errorOf({ LADDER_REPOSITORY: "just-a-name" }).message).toContain('LADDER_REPOSITORY must be "owner/name"');
  });
});
