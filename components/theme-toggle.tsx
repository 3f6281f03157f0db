"use client";

import { useEffect, useState } from "react";

export function ThemeToggle() {
  const [dark, setDark] = useState<boolean | null>(null);
  useEffect(() => setDark(document.documentElement.classList.contains("dark")), []);
  const toggle = () => {
    const next = !document.documentElement.classList.contains("dark");
    document.documentElement.classList.toggle("dark", next);
    localStorage.setItem("ladder-theme", next ? "dark" : "light");
    setDark(next);
  };
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label={dark ? "Switch to light theme" : "Switch to dark theme"}
      title={dark ? "Light theme" : "Dark theme"}
      className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4">
        {dark ? (
          <path
            fill="currentColor"
            d="M10 3.5a.75.75 0 0 1 .75.75v1a.75.75 0 0 1-1.5 0v-1A.75.75 0 0 1 10 3.5m0 10a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7m5.75-4.25a.75.75 0 0 1 0 1.5h-1a.75.75 0 0 1 0-1.5zm-10.5.75a.75.75 0 0 1-.75.75h-1a.75.75 0 0 1 0-1.5h1a.75.75 0 0 1 .75.75M10 15a.75.75 0 0 1 .75.75v1a.75.75 0 0 1-1.5 0v-1A.75.75 0 0 1 10 15"
          />
        ) : (
          <path fill="currentColor" d="M8.5 2.6a7.5 7.5 0 1 0 8.9 8.9A6 6 0 0 1 8.5 2.6" />
        )}
      </svg>
    </button>
  );
}
