/**
 * Next.js settings. `standalone` output (container builds) lets the container image ship only the
 * server and the files it traces; pg and PGlite stay external so their native
 * and Wasm parts load from node_modules as they expect.
 * @type {import("next").NextConfig}
 */
const nextConfig = {
  // The container build sets LADDER_STANDALONE=1; `npm start` uses `next start`.
  output: process.env.LADDER_STANDALONE === "1" ? "standalone" : undefined,
  reactStrictMode: true,
  poweredByHeader: false,
  // Type-checking is its own step (`npm run typecheck`, part of `npm test`);
  // running it again inside every build doubles the time on a 2-core CI.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["pg", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
};

export default nextConfig;
