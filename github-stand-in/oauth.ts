/**
 * GitHub's OAuth web flow, as far as a sign-in needs it: `/login/oauth/authorize` approves at
 * once (as the user chosen with `signInAs`) and redirects back with a code and the state;
 * `/login/oauth/access_token` trades the code (client secret, redirect URI and PKCE verifier
 * checked) for a user token. The token then works for `GET /user`. Teams hold members for
 * `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface OAuthUser {
  login: string;
  name?: string;
  email?: string;
}

export interface OAuthOptions {
  apps?: readonly OAuthApp[];
  users?: readonly OAuthUser[];
  /** "org/team-slug" → member logins. */
  teams?: Readonly<Record<string, readonly string[]>>;
}

interface PendingCode {
  clientId: string;
  login: string;
  redirectUri: string;
  challenge?: string;
  method?: string;
  expires: number;
}

export const DEFAULT_OAUTH_APP: OAuthApp = { clientId: "ladder-test-client", clientSecret: "ladder-test-client-secret" };

export class OAuthProvider {
  private readonly apps: OAuthApp[];
  private readonly users = new Map<string, OAuthUser>();
  private readonly teams = new Map<string, Set<string>>();
  private readonly codes = new Map<string, PendingCode>();
  /** User tokens → login. */
  private readonly tokens = new Map<string, string>();
  private approver: string;
  /** Authorization requests seen (for tests: scopes, PKCE). */
  readonly authorizations: { clientId: string; scope: string; codeChallengeMethod?: string }[] = [];

  constructor(options: OAuthOptions = {}) {
    this.apps = [...(options.apps ?? [DEFAULT_OAUTH_APP])];
    for (const user of options.users ?? [{ login: "octocat", name: "The Octocat" }])
      this.users.set(user.login.toLowerCase(), user);
    for (const [team, members] of Object.entries(options.teams ?? {})) this.setTeam(team, members);
    this.approver = [...this.users.values()][0]?.login ?? "octocat";
  }

  /** The next authorization is approved as this user (added when unknown). */
  signInAs(login: string): void {
    if (!this.users.has(login.toLowerCase())) this.users.set(login.toLowerCase(), { login });
    this.approver = login;
  }

  setTeam(team: string, members: readonly string[]): void {
    this.teams.set(team.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
  }

  isTeamMember(org: string, slug: string, login: string): boolean {
    return this.teams.get(`${org}/${slug}`.toLowerCase())?.has(login.toLowerCase()) ?? false;
  }

  /** The user a token was issued to, if it is a user token. */
  userForToken(token: string): OAuthUser | undefined {
    const login = this.tokens.get(token);
    return login ? this.users.get(login.toLowerCase()) : undefined;
  }

  /** Handles `/login/oauth/*`; false when the path is not one of them. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean> {
    if (path === "/login/oauth/authorize" && req.method === "GET") {
      this.authorize(res, query);
      return true;
    }
    if (path === "/login/oauth/access_token" && req.method === "POST") {
      await this.accessToken(req, res);
      return true;
    }
    return false;
  }

  private authorize(res: ServerResponse, query: URLSearchParams): void {
    const clientId = query.get("client_id") ?? "";
    const redirectUri = query.get("redirect_uri") ?? "";
    const app = this.apps.find((a) => a.clientId === clientId);
    if (!app || !URL.canParse(redirectUri)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("unknown OAuth application or redirect_uri");
      return;
    }
    const challenge = query.get("code_challenge") ?? undefined;
    const method = query.get("code_challenge_method") ?? undefined;
    this.authorizations.push({ clientId, scope: query.get("scope") ?? "", ...(method ? { codeChallengeMethod: method } : {}) });
    const code = randomBytes(10).toString("hex");
    this.codes.set(code, {
      clientId,
      login: this.approver,
      redirectUri,
      expires: Date.now() + 10 * 60_000,
      ...(challenge ? { challenge, method: method ?? "plain" } : {}),
    });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    const state = query.get("state");
    if (state !== null) target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString() }).end();
  }

  private async accessToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const type = req.headers["content-type"] ?? "";
    const form = type.includes("json")
      ? new URLSearchParams(Object.entries(JSON.parse(text || "{}") as Record<string, string>))
      : new URLSearchParams(text);
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent) : [];
    const clientId = form.get("client_id") ?? basicId ?? "";
    const clientSecret = form.get("client_secret") ?? basicSecret ?? "";
    const json = (req.headers.accept ?? "").includes("json");
    const reply = (body: Record<string, string>) => {
      if (json) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      else res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" }).end(new URLSearchParams(body).toString());
    };
    // GitHub answers 200 with an error body for a bad code.
    const fail = (error: string) => reply({ error, error_description: error.replaceAll("_", " ") });
    if (!this.apps.some((a) => a.clientId === clientId && a.clientSecret === clientSecret))
      return fail("incorrect_client_credentials");
    const code = form.get("code") ?? "";
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending || pending.expires < Date.now() || pending.clientId !== clientId) return fail("bad_verification_code");
    const redirectUri = form.get("redirect_uri");
    if (redirectUri && redirectUri !== pending.redirectUri) return fail("redirect_uri_mismatch");
    if (pending.challenge) {
      const verifier = form.get("code_verifier") ?? "";
      const computed = pending.method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
      if (computed !== pending.challenge) return fail("bad_verification_code");
    }
    const token = `gho_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, pending.login);
    reply({ access_token: token, token_type: "bearer", scope: "" });
  }
}
