"use client";

import { SegmentError, type SegmentErrorProps } from "@/components/segment-error";

export default function HistoryError(props: SegmentErrorProps) {
  return <SegmentError {...props} title="History could not be loaded" back={{ href: "/", label: "Back to environments" }} />;
}
