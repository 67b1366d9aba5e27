import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Internal packages export TypeScript source (no build step), so Next compiles them.
  transpilePackages: [
    "@fleetstream/contracts",
    "@fleetstream/db",
    "@fleetstream/eventlog",
    "@fleetstream/service",
    "@fleetstream/webhooks",
  ],
  // `npm run typecheck` (tsc over the whole workspace) is the type gate; skipping it here keeps
  // `next build` inside the start-up budget of `npm start` on a fresh machine.
  typescript: { ignoreBuildErrors: true },
  // The custom server (src/server/web-server.ts) adds socket.io; nothing is served from a CDN.
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
