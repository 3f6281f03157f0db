/**
 * How Ladder's Better Auth instance is built: database sessions in Postgres (Prisma), the session
 * token in an httpOnly, SameSite=Lax cookie signed with LADDER_AUTH_SECRET (Secure unless Ladder is
 * served from localhost). `github` mode adds GitHub's OAuth web flow against GITHUB_WEB_URL;
 * `local` mode adds a one-user sign-in. `proxy` mode keeps no sessions: the proxy's headers
 * are the identity on every request (lib/auth/proxy-identity.ts). The process's one instance,
 * with the web framework's cookie plugin, is app/_auth/auth.ts's.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { type BetterAuthPlugin, betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthEndpoint } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { genericOAuth } from "better-auth/plugins";
import { db } from "../db/client";
import type { ServerEnv } from "../env";
import { createGitHubClient } from "../github/client";
import { isLoopbackHost, publicOrigin, trustedOrigins } from "./auth-urls";

/** Local users get an address that can never be a real mailbox (RFC 2606). */
export const LOCAL_EMAIL_DOMAIN = "local.invalid";

/** `login` undefined (any mode but local): the endpoint answers 404. */
function localSignIn(login: string | undefined) {
  return {
    id: "ladder-local",
    endpoints: {
      ladderLocalSignIn: createAuthEndpoint("/ladder/local-sign-in", { method: "POST" }, async (ctx) => {
        if (login === undefined) throw new APIError("NOT_FOUND", { message: "local sign-in is off" });
        const email = `${login}@${LOCAL_EMAIL_DOMAIN}`;
        const found = await ctx.context.internalAdapter.findUserByEmail(email);
        const user =
          found?.user ??
          (await ctx.context.internalAdapter.createUser(
            { email, name: login, emailVerified: true, login },
            { method: "ladder-local" },
          ));
        const session = await ctx.context.internalAdapter.createSession(user.id);
        await setSessionCookie(ctx, { session, user });
        return ctx.json({ login });
      }),
    },
  };
}

/**
 * GitHub logins seen by getUserInfo, by e-mail, for the user hooks below. The login is an
 * `input: false` field (nobody may set it through Better Auth's user endpoints), so the OAuth
 * profile mapping cannot carry it; the hooks copy it in within the same callback request.
 */
const pendingLogins = new Map<string, { login: string; until: number }>();

function rememberLogin(email: string, login: string): void {
  const now = Date.now();
  for (const [key, value] of pendingLogins) if (value.until < now) pendingLogins.delete(key);
  pendingLogins.set(email.toLowerCase(), { login, until: now + 60_000 });
}

function takeLogin(email: unknown): string | undefined {
  if (typeof email !== "string") return undefined;
  const hit = pendingLogins.get(email.toLowerCase());
  pendingLogins.delete(email.toLowerCase());
  return hit && hit.until >= Date.now() ? hit.login : undefined;
}

interface GitHubProfile {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  avatar_url: string;
}

/** GitHub's OAuth web flow; no providers outside `github` mode. */
function githubSignIn(env: ServerEnv) {
  const github = env.auth.mode === "github" ? env.auth.github : undefined;
  return genericOAuth({
    config: !github
      ? []
      : [
          {
            providerId: "github",
            name: "GitHub",
            clientId: github.clientId,
            clientSecret: github.clientSecret,
            authorizationUrl: `${github.webUrl}/login/oauth/authorize`,
            tokenUrl: `${github.webUrl}/login/oauth/access_token`,
            // No scope: the user's public profile is all Ladder asks for. Teams are read with
            // Ladder's own credentials, so a person's token is used once and never stored.
            scopes: [],
            pkce: true,
            overrideUserInfo: true,
            accountSubject: ({ profile }) => String(profile.id),
            getUserInfo: async (tokens) => {
              if (!tokens.accessToken) return null;
              const client = createGitHubClient({
                auth: { kind: "token", token: tokens.accessToken },
                baseUrl: env.GITHUB_API_URL,
                retries: 1,
              });
              const { data } = await client.octokit.rest.users.getAuthenticated();
              const profile = data as GitHubProfile;
              // GitHub hides most e-mails; the noreply address is unique per account.
              const email = profile.email ?? `${profile.id}+${profile.login}@users.noreply.github.com`;
              rememberLogin(email, profile.login);
              return {
                id: String(profile.id),
                name: profile.name ?? profile.login,
                email,
                emailVerified: false,
                image: profile.avatar_url,
              };
            },
          },
        ],
  });
}

function devSecret(): string {
  // Outside production a missing secret is fine: sessions then end when the process does.
  const store = globalThis as typeof globalThis & { __ladderDevAuthSecret?: string };
  store.__ladderDevAuthSecret ??= randomBytes(32).toString("hex");
  return store.__ladderDevAuthSecret;
}

/**
 * `hostPlugins` are the web framework's, added by the caller so lib/ stays free of it (app/_auth
 * adds Next's cookie store). They come last, as Better Auth asks of a cookie plugin: it must see
 * every cookie the plugins before it set.
 */
export function createLadderAuth<Host extends BetterAuthPlugin[]>(env: ServerEnv, hostPlugins: Host) {
  const origin = publicOrigin(env);
  const mode = env.auth.mode;
  return betterAuth({
    appName: "Ladder",
    baseURL: origin,
    basePath: "/api/auth",
    secret: env.auth.secret ?? devSecret(),
    trustedOrigins: trustedOrigins(env),
    database: prismaAdapter(db(), { provider: "postgresql" }),
    telemetry: { enabled: false },
    emailAndPassword: { enabled: false },
    user: {
      modelName: "authUser",
      // Not "required": the user hooks fill it in (see pendingLogins); the column is NOT NULL.
      additionalFields: { login: { type: "string", required: false, input: false } },
    },
    session: { modelName: "authSession", expiresIn: 12 * 60 * 60, updateAge: 60 * 60 },
    account: {
      modelName: "authAccount",
      accountLinking: { enabled: false },
    },
    verification: { modelName: "authVerification" },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => ({ data: { ...user, login: takeLogin(user.email) ?? (user as { login?: string }).login } }),
        },
        update: {
          before: async (user) => {
            const login = takeLogin(user.email);
            return { data: login ? { ...user, login } : user };
          },
        },
      },
      account: {
        // Ladder never acts as the person on GitHub: drop their tokens before they are stored.
        create: { before: async (account) => ({ data: { ...account, accessToken: null, refreshToken: null, idToken: null } }) },
        update: { before: async (account) => ({ data: { ...account, accessToken: null, refreshToken: null, idToken: null } }) },
      },
    },
    advanced: {
      // One cookie name per mode: a session made in local mode is not even read in github mode.
      cookiePrefix: `ladder-${mode}`,
      useSecureCookies: !isLoopbackHost(new URL(origin).hostname),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      // Peer addresses come from Ladder's own stamp, never from a client's X-Forwarded-For.
      ipAddress: { ipAddressHeaders: ["x-ladder-peer"] },
    },
    rateLimit: { enabled: true, window: 60, max: 30, storage: "memory" },
    plugins: [
      ...(mode === "github" ? [githubSignIn(env)] : []),
      ...(mode === "local" ? [localSignIn(env.auth.localUser)] : []),
      ...hostPlugins,
    ],
  });
}

/** The settings an instance is built from: a different key means a different instance (as in tests). */
export function authSettingsKey(env: ServerEnv): string {
  return JSON.stringify([env.auth.mode, env.auth.localUser, env.LADDER_PUBLIC_URL, env.HOST, env.PORT, env.DATABASE_URL]);
}
