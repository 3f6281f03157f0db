// Stand-in for the `server-only` guard under vitest, which runs outside React's server environment.
export {};
