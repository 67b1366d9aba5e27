import { randomBytes } from "node:crypto";
import { type GeofenceAlert, WebhookPayload } from "@fleetstream/contracts";
import { deliveryId } from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type HookServer, startHookServer } from "../src/testing/hook-server";
import {
  type Fence,
  type Harness,
  publishAlerts,
  registerEndpoint,
  seededAlerts,
  startHarness,
  storeFences,
} from "./support";

// A seeded run on the real Kafka and PostgreSQL: N alerts on truck_geofence_alerts (some
// published twice, as a processor replaying after a crash does), three endpoints with different
// filters. Each endpoint must receive exactly the alerts its filter selects (deduplicated by
// webhook-id), none missing and none other, every request verified by the reference verifier.

const SEED = 20_261_201;
const N = 300;
const run = randomBytes(3).toString("hex");
const truck = (group: "A" | "B", n: number) => `wf-${run}-${group}${n}`;
const TRUCKS = [1, 2, 3, 4, 5, 6].flatMap((n) => [truck("A", n), truck("B", n)]);
const FENCES: Fence[] = [
  { id: `depot-${run}`, name: "Depot Utrecht", tags: ["depot"] },
  { id: `customer-${run}`, name: "Customer Rotterdam", tags: ["customer"] },
  { id: `north-${run}`, name: "Depot Groningen", tags: ["depot", "north"] },
  { id: `port-${run}`, name: "Port of Amsterdam", tags: [] },
];
const tagsOf = (id: string) => FENCES.find((f) => f.id === id)?.tags ?? [];

/** The three filters, and the same selection written out independently of the dispatcher. */
const ENDPOINTS = [
  {
    name: "enter/exit anywhere",
    filters: { alertKinds: ["ENTER", "EXIT"] },
    wants: (a: GeofenceAlert) => a.kind === "ENTER" || a.kind === "EXIT",
  },
  {
    name: "depot-tagged fences, trucks of group A",
    filters: { geofenceTags: ["depot"], truckIdPrefix: `wf-${run}-A` },
    wants: (a: GeofenceAlert) => tagsOf(a.geofenceId).includes("depot") && a.truckId.includes("-A"),
  },
  {
    name: "dwell/overspeed at the port or at two named trucks",
    filters: {
      alertKinds: ["DWELL", "OVERSPEED"],
      geofenceIds: [`port-${run}`, `customer-${run}`],
      truckIds: [truck("B", 1), truck("A", 2)],
    },
    wants: (a: GeofenceAlert) =>
      (a.kind === "DWELL" || a.kind === "OVERSPEED") &&
      (a.geofenceId === `port-${run}` || a.geofenceId === `customer-${run}`) &&
      (a.truckId === truck("B", 1) || a.truckId === truck("A", 2)),
  },
];

describe("each endpoint receives exactly the alerts its filters select", () => {
  let harness: Harness;
  const servers: HookServer[] = [];
  const ids: string[] = [];
  const alerts = seededAlerts({ seed: SEED, count: N, trucks: TRUCKS, fences: FENCES });

  beforeAll(async () => {
    harness = await startHarness();
    await storeFences(harness.db, FENCES);
    for (const endpoint of ENDPOINTS) {
      const server = await startHookServer();
      const { id, secret } = await registerEndpoint(harness.store, {
        url: server.url,
        description: endpoint.name,
        filters: endpoint.filters,
      });
      server.secret = secret;
      servers.push(server);
      ids.push(id);
    }
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.all(servers.map((server) => server.stop()));
  });

  it("delivers every matching alert and nothing else", async () => {
    await publishAlerts(harness.eventLog, alerts);
    await publishAlerts(
      harness.eventLog,
      alerts.filter((_, i) => i % 7 === 0),
    ); // replayed
    const expected = ENDPOINTS.map((endpoint, i) =>
      alerts.filter(endpoint.wants).map((alert) => deliveryId(ids[i] ?? "", alert.id)),
    );
    // Each filter selects a real share of the run, not nothing and not everything.
    for (const wanted of expected) {
      expect(wanted.length).toBeGreaterThan(5);
      expect(wanted.length).toBeLessThan(N);
    }
    await vi.waitFor(
      () => {
        servers.forEach((server, i) => {
          expect(new Set(server.requests.map((r) => r.id)).size).toBe(expected[i]?.length);
        });
      },
      { timeout: 60_000, interval: 200 },
    );
    servers.forEach((server, i) => {
      const received = new Set(server.requests.map((r) => r.id));
      expect([...received].sort()).toEqual([...(expected[i] ?? [])].sort());
      for (const request of server.requests) {
        expect(request.verified).toBe(true);
        const payload = WebhookPayload.parse(JSON.parse(request.body));
        if (payload.type === "webhook.test") throw new Error("no test event was sent");
        const wanted = ENDPOINTS[i]?.wants(payload.data.alert);
        expect(wanted, `${ENDPOINTS[i]?.name}: ${payload.data.alert.id}`).toBe(true);
        expect(payload.data.geofence.name).toBe(
          FENCES.find((f) => f.id === payload.data.alert.geofenceId)?.name,
        );
      }
    });
    // The replayed copies add no delivery, so the wait above does not wait for them: they may
    // still be on their way through the consumer.
    await vi.waitFor(() => expect(harness.dispatcher.stats().alerts).toBe(N + Math.ceil(N / 7)), {
      timeout: 30_000,
    });
    expect(harness.dispatcher.stats().deliveries).toBe(expected.flat().length);
  });
});
