import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "./www-authenticate";

describe("parseWwwAuthenticate", () => {
  it("reads Docker Hub's Bearer challenge", () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" },
      },
    ]);
  });

  it("keeps commas and escaped quotes inside quoted values, and reads several challenges", () => {
    expect(
      parseWwwAuthenticate(
        'Basic realm="a \\"b\\"", Bearer realm="https://x/t", scope="repository:a:pull,push", error=invalid_token',
      ),
    ).toEqual([
      { scheme: "basic", params: { realm: 'a "b"' } },
      { scheme: "bearer", params: { realm: "https://x/t", scope: "repository:a:pull,push", error: "invalid_token" } },
    ]);
  });

  it("lower-cases schemes and parameter names, and gives nothing for nothing", () => {
    expect(parseWwwAuthenticate('BASIC Realm="Registry"')).toEqual([{ scheme: "basic", params: { realm: "Registry" } }]);
    expect(parseWwwAuthenticate("")).toEqual([]);
  });
});
