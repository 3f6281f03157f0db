import { type MatrixImage, versionText } from "@/lib/matrix/environment-matrix";
import { Badge } from "../ui/badge";

/**
 * An image's version as the matrix and the app page lead with it: the tag (a bare name by its
 * name), then what the scan labelled it, each label with its reason on hover ("nginx · implicit
 * latest, unpinned"). Without a label: pinned or tag only.
 */
export function ImageVersion({ image, testId }: { image: MatrixImage; testId?: string }) {
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-1.5">
      <span className="truncate font-mono text-sm font-semibold" title={image.reference} data-testid={testId}>
        {versionText(image)}
      </span>
      {image.labels.map((l) => (
        <span key={l.kind} className="inline-flex items-center gap-1.5" data-label={l.kind}>
          <span aria-hidden="true" className="ui-meta">
            ·
          </span>
          <Badge tone={l.kind === "implicit-latest" ? "amber" : "red"} title={l.reason}>
            {l.text}
          </Badge>
        </span>
      ))}
      {image.labels.length === 0 &&
        (image.pinned ? (
          <Badge tone="green" title="Pinned by digest: the exact bytes are fixed">
            pinned
          </Badge>
        ) : (
          <Badge tone="amber" title="No digest: the tag can be moved to other bytes">
            tag only
          </Badge>
        ))}
    </div>
  );
}
