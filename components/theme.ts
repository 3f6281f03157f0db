/**
 * Runs before the first paint (inline in <head>) so a dark-mode user never
 * sees a white flash: the saved choice, else the OS preference. Kept as a
 * constant so the Content-Security-Policy can allow exactly this script by hash.
 */
export const themeScript = `(function(){try{var t=localStorage.getItem("ladder-theme");var d=t?t==="dark":window.matchMedia("(prefers-color-scheme: dark)").matches;document.documentElement.classList.toggle("dark",d);}catch(e){}})();`;
