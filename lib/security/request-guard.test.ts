import { describe, expect, it } from "vitest";
import { safeReturnPath } from "../auth/routes";
import { contentSecurityPolicy, themeScriptHash } from "./csp";
import { isSafeName, knownApp, knownEnvironment } from "./names";
import { checkHost, checkOrigin } from "./request-guard";

const h = (values: Record<string, string>) => new Headers(values);
const origins = ["http://127.0.0.1:3000", "http://localhost:3000"];

describe("checkOrigin", () => {
  it("lets safe methods through and same-origin writes", () => {
    expect(checkOrigin("GET", h({ origin: "https://evil.test" }), origins).ok).toBe(true);
    expect(checkOrigin("POST", h({ origin: "http://127.0.0.1:3000" }), origins).ok).toBe(true);
    expect(checkOrigin("POST", h({ "sec-fetch-site": "same-origin" }), origins).ok).toBe(true);
  });

  it("refuses cross-site, opaque and origin-less writes", () => {
    expect(checkOrigin("POST", h({ origin: "https://evil.test" }), origins)).toMatchObject({ ok: false, status: 403 });
    expect(checkOrigin("POST", h({ origin: "null" }), origins).ok).toBe(false);
    expect(checkOrigin("DELETE", h({}), origins).ok).toBe(false);
    expect(checkOrigin("POST", h({ "sec-fetch-site": "cross-site" }), origins).ok).toBe(false);
    // A different port is a different origin.
    expect(checkOrigin("POST", h({ origin: "http://127.0.0.1:3001" }), origins).ok).toBe(false);
  });
});

describe("checkHost", () => {
  it("refuses a rebound DNS name, accepts loopback and the public host", () => {
    const allowed = new Set(["ladder.acme.test"]);
    expect(checkHost("ladder.acme.test", allowed).ok).toBe(true);
    expect(checkHost("127.0.0.1:3000", allowed).ok).toBe(true);
    expect(checkHost("evil.test:3000", allowed)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost(null, allowed).ok).toBe(false);
    expect(checkHost("anything", undefined).ok).toBe(true);
  });
});

describe("names", () => {
  const scan = { environments: ["dev", "prod"], apps: [{ name: "api" }] };
  it("accepts only names the scan knows", () => {
    expect(knownApp(scan, "api")).toBe("api");
    for (const bad of ["../../etc", "..", "a/b", ".hidden", "-x", "api\u0000", "", "web"])
      expect(knownApp(scan, bad)).toBeUndefined();
    expect(knownEnvironment(scan, "prod")).toBe("prod");
    expect(knownEnvironment(scan, "prod/../dev")).toBeUndefined();
  });

  it("are at most 100 characters, as ladder.yaml's are", () => {
    expect(isSafeName("a".repeat(100))).toBe(true);
    expect(isSafeName("a".repeat(101))).toBe(false);
  });
});

describe("safeReturnPath", () => {
  it("keeps same-site paths and drops everything else", () => {
    expect(safeReturnPath("/apps/api?x=1")).toBe("/apps/api?x=1");
    for (const bad of ["https://evil.test", "//evil.test", "/\\evil.test", "javascript:alert(1)", "/\tx", undefined, 42])
      expect(safeReturnPath(bad)).toBe("/");
  });
});

describe("contentSecurityPolicy", () => {
  it("has no unsafe-eval in production, forbids framing, allows the theme script by hash", () => {
    const csp = contentSecurityPolicy({ nonce: "abc", dev: false });
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(themeScriptHash);
    expect(csp).toMatch(/script-src [^;]*'nonce-abc'/);
    expect(csp).not.toMatch(/script-src [^;]*'unsafe-inline'/);
    expect(contentSecurityPolicy({ nonce: "abc", dev: true })).toContain("'unsafe-eval'");
  });
});
