import type { PromotionStatus } from "@/lib/promotion/promotion-record";
import { Badge, type BadgeTone } from "../ui/badge";

const tones: Record<PromotionStatus, BadgeTone> = {
  PENDING: "gray",
  OPEN: "blue",
  MERGED: "green",
  CLOSED: "amber",
  FAILED: "red",
};

export function StatusBadge({ status }: { status: PromotionStatus }) {
  return <Badge tone={tones[status]}>{status}</Badge>;
}
