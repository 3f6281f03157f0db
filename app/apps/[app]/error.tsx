"use client";

import { SegmentError, type SegmentErrorProps } from "@/components/segment-error";

export default function AppError(props: SegmentErrorProps) {
  return <SegmentError {...props} title="This app could not be loaded" back={{ href: "/", label: "Back to environments" }} />;
}
