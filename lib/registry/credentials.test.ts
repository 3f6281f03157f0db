import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { credentialSource, credentialsFromDockerConfig, credentialVariableStem } from "./credentials";

describe("registry credentials", () => {
  it("names each registry's variables", () => {
    expect(credentialVariableStem("ghcr.io")).toBe("LADDER_REGISTRY_GHCR_IO");
    expect(credentialVariableStem("127.0.0.1:5000")).toBe("LADDER_REGISTRY_127_0_0_1_5000");
    expect(credentialVariableStem("index.docker.io")).toBe("LADDER_REGISTRY_DOCKER_IO");
  });

  it("reads a Docker config's auths: base64 auth, username/password, identity token, Docker Hub's v1 key", () => {
    const source = credentialsFromDockerConfig(
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: Buffer.from("hub-user:hub:pass").toString("base64") },
          "ghcr.io": { username: "octo", password: "ghp_x" },
          "https://quay.io": { identitytoken: "tok" },
        },
        credsStore: "desktop",
      }),
    );
    expect(source("docker.io")).toEqual({ username: "hub-user", password: "hub:pass" });
    expect(source("ghcr.io")).toEqual({ username: "octo", password: "ghp_x" });
    expect(source("quay.io")).toEqual({ username: "<token>", password: "tok" });
    expect(source("registry.example.com")).toBeUndefined();
  });

  it("prefers the variables to the auth file, and names an unreadable file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ladder-auth-"));
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ auths: { "ghcr.io": { username: "file", password: "f" } } }));
    const vars: Record<string, string> = { LADDER_REGISTRY_GHCR_IO_USERNAME: "env", LADDER_REGISTRY_GHCR_IO_PASSWORD: "e" };
    expect(credentialSource((n) => vars[n], file)("ghcr.io")).toEqual({ username: "env", password: "e" });
    expect(credentialSource(() => undefined, file)("ghcr.io")).toEqual({ username: "file", password: "f" });
    writeFileSync(file, "{ not json");
    expect(() => credentialSource(() => undefined, file)).toThrow(/LADDER_REGISTRY_AUTH_FILE .*config\.json/);
  });
});
