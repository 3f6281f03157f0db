"use client";

import { useEffect, useState } from "react";
import ReactDiffViewer, { DiffMethod } from "react-diff-viewer-continued";

/**
 * One environment file against the other, side by side: YAML highlighted,
 * changed words marked inside changed lines, unchanged runs folded.
 * Repository text is rendered as text by the viewer, never as HTML.
 */
export function FileDiff({
  fromText,
  toText,
  fromTitle,
  toTitle,
}: {
  fromText: string;
  toText: string;
  fromTitle: string;
  toTitle: string;
}) {
  const [dark, setDark] = useState(false);
  useEffect(() => {
    const html = document.documentElement;
    const update = () => setDark(html.classList.contains("dark"));
    update();
    const observer = new MutationObserver(update);
    observer.observe(html, { attributes: true, attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);
  return (
    <div className="overflow-x-auto text-xs">
      <ReactDiffViewer
        oldValue={fromText}
        newValue={toText}
        splitView
        compareMethod={DiffMethod.WORDS}
        extraLinesSurroundingDiff={3}
        leftTitle={fromTitle}
        rightTitle={toTitle}
        useDarkTheme={dark}
        highlightLanguage="yaml"
        hideSummary
        // The worker is loaded from a blob: URL, which the Content-Security-Policy forbids.
        disableWorker
      />
    </div>
  );
}
