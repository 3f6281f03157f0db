import { type MatrixImage, versionText } from "@/lib/matrix/environment-matrix";
import { VersionLine } from "./version-line";

/** A scanned image's VersionLine (the app page). */
export function ImageVersion({ image, testId }: { image: MatrixImage; testId?: string }) {
  return (
    <VersionLine
      version={versionText(image)}
      reference={image.reference}
      labels={image.labels}
      pinned={image.pinned}
      testId={testId}
    />
  );
}
