/**
 * The segment error boundary must not put an error's message on the page (a server error can carry
 * paths and queries); the digest that finds it in the log, Retry and the way back must be there.
 */
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SegmentError } from "./segment-error";

const router: AppRouterInstance = {
  back: () => {},
  forward: () => {},
  refresh: () => {},
  push: () => {},
  replace: () => {},
  prefetch: () => {},
  bfcacheId: "test",
};

function render(error: Error & { digest?: string }): string {
  return renderToStaticMarkup(
    createElement(
      AppRouterContext.Provider,
      { value: router },
      createElement(SegmentError, {
        error,
        reset: () => {},
        title: "Drift could not be loaded",
        back: { href: "/", label: "Back to environments" },
      }),
    ),
  );
}

describe("SegmentError", () => {
  it("shows the title, the digest, Retry and the way back, never the message", () => {
    const html = render(Object.assign(new Error("connect ECONNREFUSED /var/run/postgres"), { digest: "1234567890" }));
    expect(html).toContain('role="alert"');
    expect(html).toContain("Drift could not be loaded");
    expect(html).toContain("Reference 1234567890");
    expect(html).toMatch(/<button[^>]*>Retry<\/button>/);
    expect(html).toContain('href="/"');
    expect(html).toContain("Back to environments");
    expect(html).not.toContain("ECONNREFUSED");
  });

  it("leaves the reference out when there is no digest (an error thrown in the browser)", () => {
    expect(render(new Error("x"))).not.toContain("Reference");
  });
});
