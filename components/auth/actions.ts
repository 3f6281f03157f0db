"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getAuth } from "@/app/_auth/auth";
import { SIGNED_OUT_COOKIE, safeReturnPath } from "@/lib/auth/routes";
import { serverEnv } from "@/lib/env";

const signInForm = z.object({ next: z.string().max(2000).optional() });

/** The sign-in button: the local user at once, or off to GitHub. */
export async function signIn(formData: FormData): Promise<void> {
  const parsed = signInForm.safeParse({ next: formData.get("next") ?? undefined });
  const next = safeReturnPath(parsed.success ? parsed.data.next : undefined);
  const { auth } = serverEnv();
  const requestHeaders = await headers();
  if (auth.mode === "local") {
    await getAuth().api.ladderLocalSignIn({ headers: requestHeaders });
    (await cookies()).delete(SIGNED_OUT_COOKIE);
    redirect(next);
  }
  if (auth.mode === "github") {
    const result = await getAuth().api.signInSocial({
      body: { provider: "github", callbackURL: next, errorCallbackURL: "/signin?error=github" },
      headers: requestHeaders,
    });
    if (!result.url) redirect("/signin?error=github");
    redirect(result.url);
  }
  // Proxy mode has nothing to sign in to here: the proxy does it.
  redirect("/signin");
}

/** Ends the session (its row is deleted, the cookie cleared) and keeps local mode from signing straight back in. */
export async function signOut(): Promise<void> {
  const { auth } = serverEnv();
  // The marker first, so no request after this one signs the local user straight back in.
  (await cookies()).set(SIGNED_OUT_COOKIE, "1", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 30 * 24 * 3600 });
  if (auth.mode !== "proxy") await getAuth().api.signOut({ headers: await headers() });
  redirect("/signin");
}
