import { describe, expect, it } from "vitest";
import { DEFAULT_REGISTRIES, locateRepository, parseRegistryHosts, parseRegistryMirrors, registryRule } from "./registry-hosts";

describe("LADDER_REGISTRIES", () => {
  it("defaults to the public registries, over HTTPS", () => {
    const hosts = parseRegistryHosts(undefined);
    expect(hosts).toEqual({ enabled: true, rules: DEFAULT_REGISTRIES.map((pattern) => ({ pattern, plainHttp: false })) });
    expect(hosts && registryRule(hosts, "ghcr.io")).toBeDefined();
    expect(hosts && registryRule(hosts, "europe-docker.pkg.dev")).toBeDefined();
    expect(hosts && registryRule(hosts, "pkg.dev")).toBeUndefined();
    expect(hosts && registryRule(hosts, "169.254.169.254")).toBeUndefined();
  });

  it("turns off, and takes a list with plain-HTTP entries and Docker Hub's other names", () => {
    expect(parseRegistryHosts("off")).toEqual({ enabled: false });
    const hosts = parseRegistryHosts("http://127.0.0.1:5000, registry-1.docker.io, *.example.com");
    expect(hosts).toEqual({
      enabled: true,
      rules: [
        { pattern: "127.0.0.1:5000", plainHttp: true },
        { pattern: "docker.io", plainHttp: false },
        { pattern: "*.example.com", plainHttp: false },
      ],
    });
    expect(hosts && registryRule(hosts, "127.0.0.1:5000")?.plainHttp).toBe(true);
    expect(hosts && registryRule(hosts, "127.0.0.1:5001")).toBeUndefined();
    expect(hosts && registryRule(hosts, "index.docker.io")).toBeDefined();
  });

  it("refuses what is not a host", () => {
    expect(parseRegistryHosts("ghcr.io/acme")).toBeUndefined();
    expect(parseRegistryHosts("a b")).toBeUndefined();
    expect(parseRegistryHosts(",")).toBeUndefined();
  });
});

describe("locateRepository", () => {
  it("sends Docker Hub to registry-1.docker.io and keeps the rest", () => {
    expect(locateRepository("docker.io/library/nginx", false)).toEqual({
      registry: "docker.io",
      name: "library/nginx",
      baseUrl: "https://registry-1.docker.io",
      credentialsFor: "docker.io",
    });
    expect(locateRepository("127.0.0.1:5000/acme/api", true)).toEqual({
      registry: "127.0.0.1:5000",
      name: "acme/api",
      baseUrl: "http://127.0.0.1:5000",
      credentialsFor: "127.0.0.1:5000",
    });
  });
});

describe("LADDER_REGISTRY_MIRRORS", () => {
  it("reads registry=URL pairs, a path being a prefix of every repository", () => {
    const mirrors = parseRegistryMirrors("ghcr.io=http://127.0.0.1:5000, index.docker.io=https://harbor.example.com/hub/");
    expect(mirrors).toEqual(
      new Map([
        ["ghcr.io", { baseUrl: "http://127.0.0.1:5000", prefix: "" }],
        ["docker.io", { baseUrl: "https://harbor.example.com", prefix: "hub/" }],
      ]),
    );
    expect(locateRepository("docker.io/library/nginx", false, mirrors?.get("docker.io"))).toEqual({
      registry: "docker.io",
      name: "hub/library/nginx",
      baseUrl: "https://harbor.example.com",
      credentialsFor: "harbor.example.com",
    });
    expect(parseRegistryMirrors(undefined)).toEqual(new Map());
  });

  it("refuses what is not a pair of a registry and an http(s) URL", () => {
    for (const bad of ["ghcr.io", "=http://x", "ghcr.io=ftp://x", "ghcr.io=http://u:p@x", "*.pkg.dev=http://x"])
      expect(parseRegistryMirrors(bad), bad).toBeUndefined();
  });
});
