import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPublicPath, MAX_RETURN_PATH, safeReturnPath } from "./routes";

const ORIGIN = "https://ladder.example";

/**
 * What every answer must be, whatever came in: a path-absolute reference (one `/`, then neither
 * `/` nor `\`, which a browser would read as a host), printable ASCII only (it goes into a
 * Location header as is), resolving to Ladder's own origin, and stable when sanitised again (the
 * sign-in page's answer goes through the form to the signIn action, which sanitises it once more).
 */
function expectSameOrigin(result: string): void {
  expect(result === "/" || /^\/[^/\\]/.test(result), `${JSON.stringify(result)} is path-absolute`).toBe(true);
  expect(result).toMatch(/^[\x21-\x7e]+$/);
  expect(result.length).toBeLessThanOrEqual(MAX_RETURN_PATH);
  const url = new URL(result, ORIGIN);
  expect(url.origin).toBe(ORIGIN);
  expect(`${url.pathname}${url.search}${url.hash}`).toBe(result);
  expect(safeReturnPath(result)).toBe(result);
}

const cases: [name: string, input: unknown, expected: string][] = [
  // Kept: Ladder's own pages, normalised the way the browser would.
  ["a page", "/apps/api", "/apps/api"],
  ["a page with a query", "/apps/api?x=1", "/apps/api?x=1"],
  ["a query holding //host stays a query", "/apps/api?x=//evil", "/apps/api?x=//evil"],
  ["a hash holding //host stays a hash", "/#//evil", "/#//evil"],
  ["the root", "/", "/"],
  ["dot segments are resolved", "/apps/./api/../web", "/apps/web"],
  ["a space is encoded", "/ /evil", "/%20/evil"],
  ["an @ in a path is only a path", "/@evil.example", "/@evil.example"],
  ["encoded CR LF stays inert text", "/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"],
  ["U+2215 (division slash) is not a slash", "/\u2215evil", "/%E2%88%95evil"],
  ["U+FF0F (fullwidth solidus) is not a slash", "/\uff0fevil", "/%EF%BC%8Fevil"],
  // Refused: anything that is, or normalises to, another origin.
  ["the reported bypass: /./ before //", "/.//evil.example/phish", "/"],
  ["dot-dot before //", "/..//evil", "/"],
  ["a segment and dot-dot before //", "/a/..//evil", "/"],
  ["encoded dot-dot before //", "/%2e%2e//evil", "/"],
  ["encoded dot before //", "/%2e//evil", "/"],
  ["mixed dot-dot before //", "/.%2E//evil", "/"],
  ["protocol-relative", "//evil", "/"],
  ["three slashes", "///evil", "/"],
  ["slash backslash", "/\\evil", "/"],
  ["dot segment then backslash", "/./\\evil", "/"],
  ["backslash anywhere", "/apps\\..\\..\\evil", "/"],
  ["encoded slashes (one decode from //evil)", "/%2F%2Fevil", "/"],
  ["encoded slash, lower case", "/a/%2f/evil", "/"],
  ["encoded backslash", "/%5Cevil", "/"],
  ["a tab the parser would drop", "/\t/evil", "/"],
  ["a newline the parser would drop", "/\n/evil", "/"],
  ["a leading tab", "\t//evil", "/"],
  ["a leading space", " //evil", "/"],
  ["a NUL", "/apps\u0000", "/"],
  ["an absolute URL", "https://evil", "/"],
  ["a scheme-relative-looking absolute URL", "https:/evil", "/"],
  ["javascript:", "javascript:alert(1)", "/"],
  ["a relative path", "apps/api", "/"],
  ["empty", "", "/"],
  ["fullwidth slashes at the start", "\uff0f\uff0fevil", "/"],
  ["very long", `/${"a".repeat(100_000)}`, "/"],
  ["long once encoded", `/${"\u2215".repeat(300)}`, "/"],
  // Refused: not a string at all.
  ["undefined", undefined, "/"],
  ["null", null, "/"],
  ["a number", 42, "/"],
  ["an array (a repeated query parameter)", ["/apps", "//evil"], "/"],
  ["an object that stringifies to a path", { toString: () => "/apps" }, "/"],
];

describe("safeReturnPath", () => {
  it.each(cases)("%s", (_name, input, expected) => {
    const result = safeReturnPath(input);
    expect(result).toBe(expected);
    expectSameOrigin(result);
  });

  it("keeps a path just under the length limit", () => {
    const path = `/${"a".repeat(MAX_RETURN_PATH - 1)}`;
    expect(safeReturnPath(path)).toBe(path);
  });

  it("never answers another origin, for any mix of slashes, dots, escapes and controls", () => {
    // Weighted towards what dot-segment and slash tricks are made of, so short inputs find them.
    const piece = fc.oneof(
      { arbitrary: fc.constantFrom("/", ".", "..", "%2e", "%2E"), weight: 4 },
      {
        arbitrary: fc.constantFrom(
          "\\",
          "%2f",
          "%5c",
          "%",
          "\t",
          "\n",
          "\r",
          " ",
          "\u0000",
          "\u2215",
          "\uff0f",
          "\uff3c",
          ":",
          "@",
          "?",
          "#",
          "evil.example",
          "https:",
          "a",
        ),
        weight: 1,
      },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(piece, { maxLength: 10 }), (rooted, pieces) => {
        expectSameOrigin(safeReturnPath(`${rooted ? "/" : ""}${pieces.join("")}`));
      }),
      { seed: 20260105, numRuns: 5_000 },
    );
  });
});

describe("isPublicPath", () => {
  it("opens only the sign-in page, health, the webhook and Better Auth", () => {
    for (const open of ["/signin", "/api/health", "/api/webhooks/github", "/api/auth/callback/github"])
      expect(isPublicPath(open)).toBe(true);
    for (const closed of ["/", "/apps/api", "/api/promotions", "/api/authx", "/signin/x"])
      expect(isPublicPath(closed)).toBe(false);
  });

  it("opens the icons and robots.txt by exact name, for browsers and crawlers that fetch them signed out", () => {
    for (const open of ["/favicon.ico", "/icon.svg", "/apple-touch-icon.png", "/robots.txt"])
      expect(isPublicPath(open)).toBe(true);
    for (const closed of ["/apple-touch-icon.png/x", "/apple-touch-icon-precomposed.png", "/favicon.ico.bak", "/robots.txt/"])
      expect(isPublicPath(closed)).toBe(false);
  });
});
