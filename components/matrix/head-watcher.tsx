"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { clientEnv } from "@/lib/env-client";
import { queryKeys } from "../query/query-client";
import { RelativeTime } from "../ui/relative-time";

interface Head {
  commit: string;
  checkedAt: string;
}

/**
 * Asks a cheap route handler for the branch head (one conditional request
 * upstream, often none) and refreshes the server-rendered page when it moved.
 */
export function HeadWatcher({ commit, checkedAt, commitUrl }: { commit: string; checkedAt: string; commitUrl?: string }) {
  const router = useRouter();
  const shown = useRef(commit);
  shown.current = commit;
  const { data, isError } = useQuery({
    queryKey: queryKeys.head,
    queryFn: async (): Promise<Head> => {
      const response = await fetch("/api/head", { cache: "no-store" });
      if (!response.ok) throw new Error(`head check failed: ${response.status}`);
      return (await response.json()) as Head;
    },
    refetchInterval: clientEnv.headPollMs,
    initialData: { commit, checkedAt },
  });
  useEffect(() => {
    if (data.commit !== shown.current) router.refresh();
  }, [data.commit, router]);

  return (
    <span className="inline-flex items-center gap-1.5" data-testid="head">
      <span
        aria-hidden="true"
        className={`h-2 w-2 rounded-full ${isError ? "bg-red-500" : "bg-emerald-500"}`}
        title={isError ? "Cannot reach Ladder's server" : "Live"}
      />
      {commitUrl ? (
        <a href={commitUrl} className="font-mono hover:underline">
          {commit.slice(0, 7)}
        </a>
      ) : (
        <span className="font-mono">{commit.slice(0, 7)}</span>
      )}
      <span>
        · updated <RelativeTime date={data.checkedAt} tickMs={5_000} />
      </span>
    </span>
  );
}
