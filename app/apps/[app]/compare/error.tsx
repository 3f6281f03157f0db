"use client";

import { useParams } from "next/navigation";
import { SegmentError, type SegmentErrorProps } from "@/components/segment-error";

export default function CompareError(props: SegmentErrorProps) {
  // The segment as it stands in the URL, already encoded; proxy.ts lets only plain names this far.
  const { app } = useParams<{ app: string }>();
  return (
    <SegmentError
      {...props}
      title="This comparison could not be loaded"
      back={{ href: `/apps/${app}`, label: `Back to ${app}` }}
    />
  );
}
