/**
 * Next.js settings. `standalone` output lets the container image ship only the
 * server and the files it traces; pg and PGlite stay external so their native
 * and Wasm parts load from node_modules as they expect.
 * @type {import("next").NextConfig}
 */
const nextConfig = {
  // One build for everything: `npm start`, the tests and the container all run
  // .next/standalone/server.js (postbuild copies the static assets in).
  output: "standalone",
  reactStrictMode: true,
  poweredByHeader: false,
  // Type-checking is its own step (`npm run typecheck`, part of `npm test`);
  // running it again inside every build doubles the time on a 2-core CI.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["pg", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  experimental: {
    // Server actions only from Ladder's own host (Origin vs X-Forwarded-Host/Host). No extra
    // origins: proxy.ts also refuses any state-changing request whose Origin is not Ladder's.
    serverActions: { allowedOrigins: [], bodySizeLimit: "1mb" },
    // forbidden()/unauthorized(): a page refused by ladder.yaml's viewers answers a real 403.
    authInterrupts: true,
  },
  // Headers that do not vary per request; the Content-Security-Policy (with its per-request
  // nonce) comes from proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          {
            key: "Permissions-Policy",
            value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
          },
        ],
      },
    ];
  },
};

export default nextConfig;
