import { Badge } from "../ui/badge";

/**
 * A version as the matrix and the app page lead with it: the tag (a bare name by its name), then
 * what the scan labelled it, each label with its reason on hover ("nginx · implicit latest,
 * unpinned"). Without a label: pinned or tag only. `tips: false` leaves out the hover titles that
 * only explain (the matrix draws them once hydrated); a label's reason is always there.
 */
export function VersionLine({
  version,
  reference,
  labels,
  pinned,
  tips = true,
  testId,
}: {
  version: string;
  reference: string;
  labels: readonly { kind: string; text: string; reason: string }[];
  pinned: boolean;
  tips?: boolean;
  testId?: string;
}) {
  return (
    <div className="mx-ver">
      <span className="mx-tag" title={tips ? reference : undefined} data-testid={testId}>
        {version}
      </span>
      {labels.map((l) => (
        <span key={l.kind} className="inline-flex items-center gap-1.5" data-label={l.kind}>
          <span aria-hidden="true" className="ui-meta">
            ·
          </span>
          <Badge tone={l.kind === "implicit-latest" ? "amber" : "red"} title={l.reason}>
            {l.text}
          </Badge>
        </span>
      ))}
      {labels.length === 0 &&
        (pinned ? (
          <Badge tone="green" title={tips ? "Pinned by digest: the exact bytes are fixed" : undefined}>
            pinned
          </Badge>
        ) : (
          <Badge tone="amber" title={tips ? "No digest: the tag can be moved to other bytes" : undefined}>
            tag only
          </Badge>
        ))}
    </div>
  );
}
