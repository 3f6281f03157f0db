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

  test("LADDER_TRUSTED_PROXIES: addresses and CIDR ranges of both families, an IPv4-mapped entry as IPv4", () => {
    const env = parseServerEnv({ LADDER_TRUSTED_PROXIES: " 10.0.0.0/8, 192.168.1.7 ,fd00::/8, ::1, ::ffff:172.16.0.1 " });
    expect(env.auth.trustedProxies).toEqual([
      { family: "ipv4", address: "10.0.0.0", prefix: 8 },
      { family: "ipv4", address: "192.168.1.7", prefix: 32 },
      { family: "ipv6", address: "fd00::", prefix: 8 },
      { family: "ipv6", address: "::1", prefix: 128 },
      { family: "ipv4", address: "172.16.0.1", prefix: 32 },
    ]);
  });

  test.each(["10.0.0.0/33", "fd00::/129", "proxy.internal", "10.0.0.1, 300.0.0.1", "010.0.0.1", "10.0.0.0/8/9"])(
    "refuses LADDER_TRUSTED_PROXIES=%s at start-up, naming the variable",
    (value) => {
      const error = errorOf({ LADDER_TRUSTED_PROXIES: value });
      expect(error.issues.map((i) => i.variable)).toEqual(["LADDER_TRUSTED_PROXIES"]);
      expect(error.message).toContain("LADDER_TRUSTED_PROXIES must be IP addresses or CIDR ranges, comma-separated");
    },
  );

  test("rejects a malformed repository name", () => {
    expect(errorOf({ LADDER_REPOSITORY: "just-a-name" }).message).toContain('LADDER_REPOSITORY must be "owner/name"');
  });
});
