"use client";

import { SegmentError, type SegmentErrorProps } from "@/components/segment-error";

export default function LayoutError(props: SegmentErrorProps) {
  return <SegmentError {...props} title="The layout could not be loaded" back={{ href: "/", label: "Back to environments" }} />;
}
