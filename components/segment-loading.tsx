/**
 * What a route segment's loading.tsx shows while its page loads: a titled skeleton, announced to
 * screen readers. A loading boundary starts streaming, so the segment's layout must have decided
 * sign-in, viewers and "not found" before it (see test/unit/route-guards.test.ts).
 */
export function SegmentLoading({ title, rows = 4 }: { title: string; rows?: number }) {
  return (
    <div role="status" aria-label={`Loading ${title.toLowerCase()}`} className="space-y-4">
      <div className="h-8 w-48 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders without identity
        <div key={i} className="h-16 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
      ))}
    </div>
  );
}
