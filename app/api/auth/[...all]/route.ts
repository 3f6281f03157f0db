import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/app/_auth/auth";

export const dynamic = "force-dynamic";

/** Better Auth's endpoints: the OAuth callback, session and sign-out. */
const handler = (request: Request) => toNextJsHandler(getAuth()).POST(request);

export { handler as GET, handler as POST };
