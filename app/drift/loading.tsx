import { SegmentLoading } from "@/components/segment-loading";

export default function Loading() {
  return <SegmentLoading title="Drift" />;
}
