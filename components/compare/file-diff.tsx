"use client";

import { useEffect, useRef, useState } from "react";
import ReactDiffViewer, { DiffMethod } from "react-diff-viewer-continued";

// Colours that keep WCAG AA contrast for highlighted YAML on changed-word
// backgrounds; the viewer's defaults fall below it (checked by the axe scan).
const variables = {
  light: {
    wordAddedBackground: "#bbf7d0",
    wordRemovedBackground: "#fecaca",
    gutterColor: "#52525b",
    addedGutterColor: "#14532d",
    removedGutterColor: "#7f1d1d",
    codeFoldContentColor: "#1e3a8a",
  },
  dark: {
    diffViewerBackground: "#09090b",
    gutterBackground: "#18181b",
    gutterBackgroundDark: "#111113",
    wordAddedBackground: "#1f3a2b",
    wordRemovedBackground: "#3d2530",
    addedBackground: "#0f2418",
    removedBackground: "#2a1418",
    codeFoldBackground: "#18181b",
    codeFoldGutterBackground: "#18181b",
    codeFoldContentColor: "#c9d1d9",
    gutterColor: "#d4d4d8",
  },
};
const lightTokens = {
  keyword: "#9a1b2c",
  atrule: "#9a1b2c",
  operator: "#9a1b2c",
  tag: "#166534",
  inserted: "#166534",
  entity: "#166534",
  property: "#1e40af",
  boolean: "#1e40af",
  number: "#1e40af",
  constant: "#1e40af",
  builtin: "#1e40af",
  important: "#9a3412",
  variable: "#9a3412",
  comment: "#4b5563",
};
const darkTokens = { comment: "#8b9bd0", prolog: "#8b9bd0" };

/**
 * One environment file against the other, side by side: YAML highlighted,
 * changed words marked inside changed lines, unchanged runs folded (click to
 * expand). Repository text is rendered as text by the viewer, never as HTML.
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
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const html = document.documentElement;
    const update = () => setDark(html.classList.contains("dark"));
    update();
    const observer = new MutationObserver(update);
    observer.observe(html, { attributes: true, attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    // The viewer makes each folded-lines row a role="button" around its own
    // <button>: nested controls that screen readers announce twice. The
    // inner button stays; the row loses its role and tab stop.
    const root = container.current;
    if (!root) return;
    const fix = () => {
      for (const row of root.querySelectorAll('tr[role="button"]')) {
        row.removeAttribute("role");
        row.removeAttribute("tabindex");
      }
    };
    fix();
    const observer = new MutationObserver(fix);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={container} className="overflow-x-auto text-xs">
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
        highlightTheme={dark ? darkTokens : lightTokens}
        styles={{ variables, gutter: { pre: { opacity: 1 } } }}
        codeFoldMessageRenderer={(lines) => <span>Show {lines} unchanged lines</span>}
        hideSummary
        // The worker is loaded from a blob: URL, which the Content-Security-Policy forbids.
        disableWorker
      />
    </div>
  );
}
