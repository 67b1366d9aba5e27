import { defineConfig } from "vitest/config";

// One vitest run, three projects: `unit` (pure code, no services), `integration` (real Kafka +
// PostgreSQL started by infra/), selected with --project.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts"],
          // PGlite and the WASM schema engine take seconds to boot on a busy 2-core machine, and
          // the property tests run thousands of cases: generous limits (timing is for benches).
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages}/*/test/**/*.int.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
