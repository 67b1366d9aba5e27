import { defineConfig } from "@playwright/test";

// Both ways of running the product, side by side:
//  - embedded: `npm start`'s launcher (in-process event log + PGlite, one process)
//  - stack:    `npm run stack`'s launcher (separate processes on the real Kafka + PostgreSQL of infra/)
// The browser is Debian's Chromium (Playwright's own download cannot reach its server here).
// Ports: E2E_EMBEDDED_PORT and E2E_STACK_PORT (defaults 3210, 3211), so runs can sit side by side.
const EMBEDDED_PORT = Number(process.env.E2E_EMBEDDED_PORT ?? 3210);
const STACK_PORT = Number(process.env.E2E_STACK_PORT ?? 3211);
const launcher = "../apps/standalone/src";
export const ADMIN_EMAIL = "e2e-admin@fleetstream.test";
export const ADMIN_PASSWORD = "e2e-admin-password-1";
/** Each project's signed-in admin session (cookies), written by tests/auth.setup.ts. */
export const adminState = (project: string) => `.auth/${project}-admin.json`;
/** The demo fleet of every run: 20 trucks at 20x (a fix per truck per simulated 20 s = 1 s). */
const fleet = {
  SIM_SPEEDUP: "20",
  SIM_TRUCKS: "20",
  MAP_TILE_URL: "none",
  LOG_LEVEL: "warn",
  // The first admin of a fresh database (tests/auth.setup.ts signs in with it).
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
};

export default defineConfig({
  testDir: "tests",
  outputDir: "test-results",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  use: {
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    // One zone for the run, so screenshots and assertions read the same everywhere.
    timezoneId: "Europe/Amsterdam",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  // Each mode signs its admin in once ("setup-…"); its tests start signed in with that session.
  projects: [
    {
      name: "setup-embedded",
      testMatch: /auth\.setup\.ts/,
      use: { baseURL: `http://127.0.0.1:${EMBEDDED_PORT}` },
    },
    {
      name: "setup-stack",
      testMatch: /auth\.setup\.ts/,
      use: { baseURL: `http://127.0.0.1:${STACK_PORT}` },
    },
    {
      name: "embedded",
      dependencies: ["setup-embedded"],
      use: { baseURL: `http://127.0.0.1:${EMBEDDED_PORT}`, storageState: adminState("embedded") },
    },
    {
      name: "stack",
      dependencies: ["setup-stack"],
      use: { baseURL: `http://127.0.0.1:${STACK_PORT}`, storageState: adminState("stack") },
    },
  ],
  webServer: [
    {
      command: `npx tsx ${launcher}/main.ts`,
      url: `http://127.0.0.1:${EMBEDDED_PORT}/api/health`,
      env: {
        PORT: String(EMBEDDED_PORT),
        DATABASE_URL: "pglite://memory",
        KAFKA_BROKERS: "",
        ...fleet,
      },
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      // stack.ts, its processor lanes' groups starting at the GPS topic's end (see stack-server.ts).
      command: "npx tsx stack-server.ts",
      url: `http://127.0.0.1:${STACK_PORT}/api/health`,
      env: { PORT: String(STACK_PORT), ...fleet },
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
    },
  ],
});
