"use client";

import { type KeyboardEvent, type ReactNode, useRef } from "react";

/**
 * Arrow keys move focus between the matrix's focusable elements row by row
 * and column by column, like a spreadsheet; Tab still walks them in order.
 */
export function GridNavigation({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) return;
    const active = document.activeElement;
    const cell = active?.closest("td, th");
    const row = cell?.parentElement;
    if (!cell || !row || !ref.current?.contains(cell)) return;
    const column = Array.from(row.children).indexOf(cell);
    let target: Element | null | undefined;
    if (event.key === "ArrowLeft") target = cell.previousElementSibling;
    if (event.key === "ArrowRight") target = cell.nextElementSibling;
    if (event.key === "ArrowUp") target = row.previousElementSibling?.children[column];
    if (event.key === "ArrowDown") target = row.nextElementSibling?.children[column];
    const focusable = target?.querySelector<HTMLElement>("a, button");
    if (focusable) {
      event.preventDefault();
      focusable.focus();
    }
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: arrow keys are handled for the focusable links inside
    <div ref={ref} onKeyDown={onKeyDown}>
      {children}
    </div>
  );
}
