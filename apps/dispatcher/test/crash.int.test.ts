import { randomBytes } from "node:crypto";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { seededRandom } from "@fleetstream/geofence/testing";
import { createWebhookStore, deliveryId, parseAllowList } from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type HookServer, startHookServer } from "../src/testing/hook-server";
import {
  brokers,
  type DispatcherProcess,
  publishAlerts,
  registerEndpoint,
  seededAlerts,
  seekGroupToEnd,
  startDispatcherProcess,
  storeFences,
} from "./support";

// The crash drill: the dispatcher runs as its own process and is SIGKILLed at seeded random
// moments while alerts stream in and deliveries go out (between Kafka commit and delivery, mid
// request, with results not yet written); each time it is started again. Every alert must reach
// both endpoints at least once, every request verified by the reference verifier.

const SEED = 4_242;
const WAVES = 4;
const PER_WAVE = 80;
const run = randomBytes(3).toString("hex");
const groupId = `it-dispatcher-crash-${run}`;
const FENCES = [{ id: `crash-${run}`, name: "Depot", tags: ["depot"] }];

describe("every alert is delivered at least once across SIGKILLs of the dispatcher", () => {
  const scratch = scratchDatabases();
  let databaseUrl: string;
  let db: Database;
  let eventLog: EventLog;
  let child: DispatcherProcess | undefined;
  const servers: HookServer[] = [];
  const endpointIds: string[] = [];
  const logs: string[] = [];
  const random = seededRandom(SEED);
  const alerts = seededAlerts({
    seed: SEED,
    count: WAVES * PER_WAVE,
    trucks: Array.from({ length: 10 }, (_, i) => `wc-${run}-${i}`),
    fences: FENCES,
  });

  function startChild(): DispatcherProcess {
    child = startDispatcherProcess(
      {
        DATABASE_URL: databaseUrl,
        DISPATCHER_GROUP_ID: groupId,
        WEBHOOK_ALLOWED_TARGETS: "127.0.0.0/8",
        WEBHOOK_POLL_MS: "100",
        // Lease = 3 × timeout: deliveries a killed dispatcher held are claimed again after 3 s.
        WEBHOOK_TIMEOUT_MS: "1000",
        WEBHOOK_RETRY_SCHEDULE: "200ms,500ms,1s,1s,1s,1s",
      },
      (chunk) => {
        logs.push(chunk.toString());
        if (logs.length > 200) logs.shift();
      },
    );
    return child;
  }

  const received = () => Math.min(...servers.map((s) => new Set(s.requests.map((r) => r.id)).size));

  beforeAll(async () => {
    databaseUrl = await scratch.create();
    db = await openDatabase({ url: databaseUrl });
    await db.migrate();
    await storeFences(db, FENCES);
    eventLog = createEventLog({ clientId: "it-dispatcher-crash", brokers });
    await seekGroupToEnd(eventLog, groupId);
    const store = createWebhookStore({ prisma: db.prisma, allow: parseAllowList("127.0.0.0/8") });
    for (let i = 0; i < 2; i++) {
      const server = await startHookServer();
      const { id, secret } = await registerEndpoint(store, { url: server.url });
      server.secret = secret;
      servers.push(server);
      endpointIds.push(id);
    }
  });

  afterAll(async () => {
    await child?.kill("SIGKILL");
    await eventLog?.close();
    await db?.close();
    await scratch.dropAll();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("loses nothing", { timeout: 240_000 }, async () => {
    startChild();
    for (let wave = 0; wave < WAVES; wave++) {
      const batch = alerts.slice(wave * PER_WAVE, (wave + 1) * PER_WAVE);
      await publishAlerts(eventLog, batch);
      if (wave === WAVES - 1) break;
      // Kill once this wave is partly delivered: a seeded point between 10 % and 90 % of it.
      const threshold = wave * PER_WAVE + Math.floor(PER_WAVE * (0.1 + 0.8 * random()));
      await vi
        .waitFor(() => expect(received()).toBeGreaterThanOrEqual(threshold), {
          timeout: 60_000,
          interval: 20,
        })
        .catch((error: unknown) => {
          throw new Error(`${String(error)}\ndispatcher output:\n${logs.slice(-30).join("")}`);
        });
      await child?.kill("SIGKILL");
      startChild();
    }
    await vi
      .waitFor(() => expect(received()).toBe(alerts.length), { timeout: 90_000, interval: 200 })
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\ndispatcher output:\n${logs.slice(-30).join("")}`);
      });
    servers.forEach((server, i) => {
      const ids = new Set(server.requests.map((r) => r.id));
      for (const alert of alerts)
        expect(ids.has(deliveryId(endpointIds[i] ?? "", alert.id))).toBe(true);
      expect(server.requests.every((r) => r.verified)).toBe(true);
    });
    const duplicates = servers.map(
      (s) => s.requests.length - new Set(s.requests.map((r) => r.id)).size,
    );
    console.log(
      `crash drill: ${JSON.stringify({ alerts: alerts.length, kills: WAVES - 1, endpoints: 2, repeatedRequests: duplicates })}`,
    );
  });
});
