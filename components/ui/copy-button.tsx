"use client";

import { useState } from "react";

/** Copies `value`; `label` names what is copied (short: it repeats in every matrix cell). */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
      aria-label={copied ? "Copied" : label}
      data-copied={copied ? "" : undefined}
      className="ui-copy"
    />
  );
}
