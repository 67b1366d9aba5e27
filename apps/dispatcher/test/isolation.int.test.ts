import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type HookServer, startHookServer } from "../src/testing/hook-server";
import {
  type Harness,
  publishAlerts,
  registerEndpoint,
  seededAlerts,
  startHarness,
  storeFences,
} from "./support";

// Isolation: one endpoint accepts connections and never answers (it sleeps past any timeout in
// this test). The bound: it holds at most WEBHOOK_ENDPOINT_CONCURRENCY requests open and delays
// the other endpoints by nothing at all — every one of their deliveries arrives while it is
// still holding all of its requests unanswered. Once it wakes up it gets everything too.

const N = 150;
const PER_ENDPOINT = 4;
const run = randomBytes(3).toString("hex");
const FENCE = { id: `iso-${run}`, name: "Depot", tags: [] };

describe("a sleeping endpoint does not delay the others", () => {
  let harness: Harness;
  let sleeper: HookServer;
  const healthy: HookServer[] = [];
  const alerts = seededAlerts({
    seed: 11,
    count: N,
    trucks: [`wi-${run}-1`, `wi-${run}-2`],
    fences: [FENCE],
  });

  beforeAll(async () => {
    harness = await startHarness({
      WEBHOOK_ENDPOINT_CONCURRENCY: String(PER_ENDPOINT),
      WEBHOOK_CONCURRENCY: "64",
      // Longer than this test runs: the sleeper's requests stay open until released.
      WEBHOOK_TIMEOUT_MS: "120000",
    });
    await storeFences(harness.db, [FENCE]);
    sleeper = await startHookServer({ respond: () => "hang" });
    sleeper.secret = (await registerEndpoint(harness.store, { url: sleeper.url })).secret;
    for (let i = 0; i < 2; i++) {
      const server = await startHookServer();
      server.secret = (await registerEndpoint(harness.store, { url: server.url })).secret;
      healthy.push(server);
    }
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.all([sleeper, ...healthy].map((server) => server?.stop()));
  });

  it("delivers everything to the others while the sleeper holds every slot it may have", async () => {
    await publishAlerts(harness.eventLog, alerts);
    await vi.waitFor(
      () => {
        for (const server of healthy)
          expect(new Set(server.requests.map((r) => r.id)).size).toBe(N);
      },
      { timeout: 60_000, interval: 100 },
    );
    // All of that happened while the sleeper answered nothing, holding exactly its share.
    expect(sleeper.held).toBe(PER_ENDPOINT);
    expect(sleeper.requests).toHaveLength(PER_ENDPOINT);
    for (const server of [sleeper, ...healthy]) {
      expect(server.requests.every((r) => r.verified)).toBe(true);
    }

    sleeper.release(204);
    await vi.waitFor(() => expect(new Set(sleeper.requests.map((r) => r.id)).size).toBe(N), {
      timeout: 60_000,
      interval: 100,
    });
    expect(sleeper.requests.every((r) => r.verified)).toBe(true);
  });
});
