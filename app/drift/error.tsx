"use client";

import { SegmentError, type SegmentErrorProps } from "@/components/segment-error";

export default function DriftError(props: SegmentErrorProps) {
  return <SegmentError {...props} title="Drift could not be loaded" back={{ href: "/", label: "Back to environments" }} />;
}
