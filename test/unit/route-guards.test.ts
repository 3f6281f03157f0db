/**
 * A new page or route cannot forget sign-in and `viewers`: every page's component starts with
 * `await requireViewer()`, and every route handler is built by the one wrapper — `route` (signed
 * in, a viewer) or, named as an exception with its reason here, `publicRoute`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const APP = path.resolve("app");
/** Reachable without signing in, each for a stated reason. */
const PUBLIC_ROUTES: Record<string, string> = {
  "api/health/route.ts": "probes and load balancers; answers up/down only without a session",
  "api/webhooks/github/route.ts": "GitHub's deliveries, authenticated by their HMAC signature",
};
/** Routes that are not Ladder's own handlers. */
const FOREIGN_ROUTES: Record<string, string> = {
  "api/auth/[...all]/route.ts": "Better Auth's sign-in endpoints",
};
const PUBLIC_PAGES = new Set(["signin/page.tsx"]);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files(full, out);
    else out.push(path.relative(APP, full).split(path.sep).join("/"));
  }
  return out;
}

const all = files(APP);

describe("every page checks the viewer first", () => {
  const pages = all.filter((f) => f.endsWith("page.tsx") && !PUBLIC_PAGES.has(f));
  it("finds the pages", () => expect(pages.length).toBeGreaterThanOrEqual(5));
  it.each(pages)("%s", (page) => {
    const text = readFileSync(path.join(APP, page), "utf8");
    const body = /export default async function \w+\([^)]*\)[^{]*\{\n([^\n]*)/.exec(text)?.[1]?.trim();
    expect(body, `${page}: the component's first line`).toBe("await requireViewer();");
  });
});

describe("a loading boundary never turns 401/403/404 into 200", () => {
  // loading.tsx starts streaming (status 200 sent) before its page runs: the checks must happen in
  // a layout of the same segment, which renders before the boundary.
  const loaders = all.filter((f) => /(^|\/)loading\.tsx$/.test(f));
  it("finds the loading states", () => expect(loaders.length).toBeGreaterThanOrEqual(4));
  it.each(loaders)("%s", (loader) => {
    const dir = path.posix.dirname(loader);
    // The nearest layout at or above the boundary, inside app/ but not the root one.
    const segs = dir === "." ? [] : dir.split("/");
    let layout: string | undefined;
    for (let i = segs.length; i > 0 && !layout; i--) {
      const candidate = `${segs.slice(0, i).join("/")}/layout.tsx`;
      if (all.includes(candidate)) layout = candidate;
    }
    expect(layout, `${loader}: no segment layout above it`).toBeDefined();
    const text = readFileSync(path.join(APP, layout ?? ""), "utf8");
    const body = /export default async function \w+\([^)]*\)[^{]*\{\n([^\n]*)/.exec(text)?.[1]?.trim();
    expect(body, `${layout}: the layout's first line`).toBe("await requireViewer();");
  });
});

describe("every route handler goes through the one wrapper", () => {
  const routes = all.filter((f) => /(^|\/)route\.ts$/.test(f) && !(f in FOREIGN_ROUTES));
  it("finds the routes", () => expect(routes.length).toBeGreaterThanOrEqual(6));
  it.each(routes)("%s", (file) => {
    const text = readFileSync(path.join(APP, file), "utf8");
    const handlers = [...text.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b(.*)/g)];
    expect(handlers.length, file).toBeGreaterThan(0);
    const wrapper = file in PUBLIC_ROUTES ? "publicRoute(" : "route(";
    for (const [, method, rest] of handlers)
      expect(rest, `${file} ${method}`).toMatch(new RegExp(`^ = ${wrapper.replace("(", "\\(")}`));
  });
});
