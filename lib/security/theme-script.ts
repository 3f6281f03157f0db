/**
 * Runs before the first paint (inline in <head>, app/layout.tsx) so a dark-mode user never sees a
 * white flash: the saved choice (components/theme-toggle.tsx writes "ladder-theme"), else the OS
 * preference. A constant here, beside the Content-Security-Policy, so csp.ts can allow exactly
 * this script by its hash.
 */
export const themeScript = `(function(){try{var t=localStorage.getItem("ladder-theme");var d=t?t==="dark":window.matchMedia("(prefers-color-scheme: dark)").matches;document.documentElement.classList.toggle("dark",d);}catch(e){}})();`;
