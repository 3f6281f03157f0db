"use client";

import { useQuery } from "@tanstack/react-query";
import { Badge, type BadgeTone } from "../ui/badge";
import { badgeKeys, type GridData } from "./grid-types";

export interface RegistryBadgeData {
  tone: BadgeTone;
  label: string;
  title: string;
}

/** By `repository@digest`; a key without an entry has no badge (evidence off, skipped, or failed). */
export type RegistryBadges = Readonly<Record<string, RegistryBadgeData>>;

const NONE: RegistryBadges = {};

/**
 * The page's registry badges, asked for once the matrix is drawn: one request for every pinned
 * digest on the page (app/api/registry/badges), so the matrix never waits on a registry and the
 * HTML carries no per-cell streaming boundary. Cached per commit for a minute.
 */
export function useRegistryBadges(data: Pick<GridData, "rows" | "registry" | "commit">): RegistryBadges {
  const keys = data.registry ? badgeKeys(data) : [];
  const query = useQuery({
    queryKey: ["registry-badges", data.commit, keys],
    enabled: keys.length > 0,
    staleTime: 60_000,
    queryFn: async (): Promise<RegistryBadges> => {
      const response = await fetch("/api/registry/badges", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refs: keys }),
      });
      if (!response.ok) throw new Error(`registry badges failed (${response.status})`);
      return (await response.json()) as RegistryBadges;
    },
  });
  return query.data ?? NONE;
}

/** A cell's registry badge (signed, unsigned, not in registry…), or nothing while unknown. */
export function RegistryBadgeView({ badge }: { badge: RegistryBadgeData | undefined }) {
  if (!badge) return null;
  return (
    <span data-testid="registry-badge" data-state={badge.label} className="shrink-0">
      <Badge tone={badge.tone} title={badge.title}>
        {badge.label}
      </Badge>
    </span>
  );
}
