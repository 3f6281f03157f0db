/**
 * How Ladder's browser tests, screenshots and benchmarks start Chromium here:
 * Debian's build (no browser download), and no background traffic to hosts
 * this machine cannot reach.
 */
export const chromiumExecutable = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
