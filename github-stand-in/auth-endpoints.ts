/**
 * Who is calling. The check every API request passes (a configured or minted token, an OAuth
 * user token, or an App JWT for the App endpoints), and the endpoints behind sign-in and GitHub
 * App auth: the user an OAuth token belongs to, team membership, installation access tokens.
 * The OAuth web flow itself (`/login/oauth/*`) is oauth.ts.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { StandIn } from "./context";
import { simpleUser, stableId } from "./github-objects";
import { HttpError, notFound, type RouteTable } from "./http";

export function authorised(s: StandIn, req: IncomingMessage, operationId: string): boolean {
  const header = req.headers.authorization ?? "";
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(header);
  if (!m?.[1]) return false;
  // App endpoints take the App's JWT; the server trusts its shape, not its signature.
  if (operationId.startsWith("apps/")) return m[1].split(".").length === 3;
  return s.tokens.has(m[1]) || s.oauth.userForToken(m[1]) !== undefined;
}

export function registerAuthEndpoints(routes: RouteTable, s: StandIn): void {
  const { oauth } = s;

  routes.add("GET", "/user", "users/get-authenticated", async ({ headers }) => {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(headers.authorization ?? "")?.[1] ?? "";
    const user = oauth.userForToken(token);
    // An installation or app token is not a person.
    if (!user) throw new HttpError(403, "Resource not accessible by integration");
    return {
      status: 200,
      body: {
        ...simpleUser(s.urls, user.login),
        name: user.name ?? null,
        company: null,
        blog: "",
        location: null,
        email: user.email ?? null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
      },
    };
  });

  routes.add(
    "GET",
    "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    "teams/get-membership-for-user-in-org",
    async ({ params }) => {
      const { org = "", team_slug: slug = "", username = "" } = params;
      if (!oauth.isTeamMember(org, slug, username)) throw notFound();
      return {
        status: 200,
        body: {
          url: `${s.urls.api}/organizations/${stableId(`org:${org}`)}/team/${stableId(`team:${org}/${slug}`)}/memberships/${username}`,
          role: "member",
          state: "active",
        },
      };
    },
  );

  routes.add(
    "POST",
    "/app/installations/{installation_id}/access_tokens",
    "apps/create-installation-access-token",
    async ({ params }) => {
      const installation = s.installations.find((i) => String(i.id) === params.installation_id);
      if (!installation) throw notFound();
      const token = `ghs_${randomUUID().replaceAll("-", "")}`;
      s.tokens.add(token);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: { contents: "write", pull_requests: "write", metadata: "read" },
          repository_selection: "selected",
        },
      };
    },
  );
}
