/**
 * Icons drawn once per page (IconSprite, in the root layout) and referenced
 * with <use>, so a cell repeats a short reference, not the path.
 */
export function IconSprite() {
  return (
    <svg aria-hidden="true" width="0" height="0" className="absolute">
      <defs>
        <symbol id="icon-copy" viewBox="0 0 16 16">
          <path
            fill="currentColor"
            d="M5 2h7a1 1 0 0 1 1 1v8h-1.5V3.5H5zM3 5h6.5a1 1 0 0 1 1 1v7.5a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1m.5 1.5v6.5H9V6.5z"
          />
        </symbol>
        <symbol id="icon-check" viewBox="0 0 16 16">
          <path fill="currentColor" d="M6.2 11.6 2.6 8l1-1 2.6 2.6 6.2-6.2 1 1z" />
        </symbol>
      </defs>
    </svg>
  );
}

export function Icon({ name, className = "ui-icon" }: { name: "copy" | "check"; className?: string }) {
  return (
    <svg aria-hidden="true" className={className}>
      <use href={`#icon-${name}`} />
    </svg>
  );
}
