/**
 * React Query wired in one place: the client factory, the query keys and the
 * invalidations. Components import keys from here instead of spelling arrays.
 */
import { isServer, QueryClient } from "@tanstack/react-query";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Server components render the first view; the client refreshes it.
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: 2,
      },
    },
  });
}

let browserClient: QueryClient | undefined;

/** A fresh client per server request, one shared client in the browser. */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}

export const queryKeys = {
  head: ["head"] as const,
  health: ["health"] as const,
  promotions: (filters: Record<string, string | undefined>) => ["promotions", filters] as const,
  promotion: (id: string) => ["promotions", "detail", id] as const,
  preview: (target: {
    app: string;
    toEnv: string;
    fromEnv?: string;
    digest?: string;
    rollback?: boolean;
    artifact?: { kind: string; name: string };
    target?: string;
  }) =>
    [
      "preview",
      target.app,
      target.toEnv,
      target.fromEnv ?? "",
      target.digest ?? "",
      target.rollback ? "rollback" : "",
      target.artifact ? `${target.artifact.kind}:${target.artifact.name}` : "",
      target.target ?? "",
    ] as const,
};
