import { type GeofenceAlert, TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import {
  createWebhookStore,
  DispatcherSettings,
  deliveryId,
  LOOPBACK_TARGETS,
  parseAllowList,
  type WebhookStore,
} from "@fleetstream/webhooks";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDispatcher } from "./dispatcher";
import { createReceiver, type ReceivedDelivery, type Receiver } from "./receiver";

// The dispatcher on the embedded parts `npm start` uses: the in-process event log and PGlite
// (the same SQL as PostgreSQL, one connection). Integration tests run it on Kafka + PostgreSQL.

const alert = (truckId: string, kind: GeofenceAlert["kind"], eventTime: number): GeofenceAlert => ({
  v: 1,
  id: `${truckId}/depot/${kind}/${eventTime}`,
  kind,
  truckId,
  geofenceId: "depot",
  geofenceVersion: 1,
  eventTime,
  since: eventTime - 20_000,
  seq: 7,
  lat: 52,
  lon: 5.12,
  speedKmh: 48,
});

describe("dispatcher on the embedded event log and PGlite", () => {
  let db: Database;
  let eventLog: InMemoryEventLog;
  let store: WebhookStore;
  let receiver: Receiver;
  let dispatcher: ReturnType<typeof createDispatcher>;
  let secret: string;
  let endpointId: string;
  const received: ReceivedDelivery[] = [];

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    eventLog = new InMemoryEventLog();
    const allow = parseAllowList(LOOPBACK_TARGETS);
    store = createWebhookStore({ prisma: db.prisma, allow });
    await db.prisma.geofence.create({
      data: {
        id: "depot",
        name: "Depot Utrecht",
        tags: ["depot"],
        geometry: { type: "Circle", center: [5.12, 52.09], radiusM: 500 },
        debounceFixes: 3,
        debounceSeconds: 20,
        version: 1,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    // The secret is only known once the endpoint exists; the receiver verifies with it.
    const created = await store.create({ url: "http://127.0.0.1:1/placeholder" });
    if (!created.ok) throw new Error(created.message);
    secret = created.value.secret;
    endpointId = created.value.endpoint.id;
    receiver = createReceiver({ port: 0, secret, onDelivery: (d) => received.push(d) });
    await receiver.start();
    const moved = await store.update(endpointId, {
      url: `${receiver.url}hooks`,
      filters: { alertKinds: ["ENTER", "EXIT"] },
    });
    expect(moved.ok).toBe(true);
    dispatcher = createDispatcher({
      eventLog,
      prisma: db.prisma,
      logger: createLogger("test", "silent"),
      config: {
        settings: DispatcherSettings.parse({
          WEBHOOK_ALLOWED_TARGETS: LOOPBACK_TARGETS,
          WEBHOOK_POLL_MS: "50",
        }),
        partitions: 2,
      },
    });
    await dispatcher.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await receiver?.stop();
    await eventLog?.close();
    await db?.close();
  });

  it("reports itself ready (/health/ready) once its alert consumer runs and both stores answer", () => {
    expect(dispatcher.health()).toEqual({
      consumer: { ok: true },
      database: { ok: true },
      kafka: { ok: true },
    });
  });

  it("delivers each matching alert once, signed, with the fence and the truck's position", async () => {
    const producer = eventLog.producer();
    const t = Date.now();
    const alerts = [
      alert("T-1", "ENTER", t),
      alert("T-2", "DWELL", t),
      alert("T-1", "EXIT", t + 1),
    ];
    await producer.send(TOPICS.truckGeofenceAlerts.name, [
      ...alerts.map((a) => ({ key: a.truckId, value: JSON.stringify(a) })),
      { key: "T-9", value: "{not an alert" },
    ]);
    // The same alerts again, as a processor replaying after a crash would publish them.
    await producer.send(
      TOPICS.truckGeofenceAlerts.name,
      alerts.map((a) => ({ key: a.truckId, value: JSON.stringify(a) })),
    );
    await producer.close();

    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 10_000 });
    await vi.waitFor(() => expect(dispatcher.stats().alerts).toBe(6));
    expect(dispatcher.stats().refused).toBe(1);
    const verifier = new Webhook(secret);
    const byType = new Map(received.map((d) => [d.payload.type, d]));
    expect([...byType.keys()].sort()).toEqual(["geofence.enter", "geofence.exit"]);
    for (const delivery of received) {
      expect(() =>
        verifier.verify(delivery.body, delivery.headers as Record<string, string>),
      ).not.toThrow();
    }
    const enter = byType.get("geofence.enter");
    expect(enter?.id).toBe(deliveryId(endpointId, alerts[0]?.id ?? ""));
    expect(enter?.payload).toMatchObject({
      timestamp: new Date(t).toISOString(),
      data: {
        alert: alerts[0],
        geofence: { id: "depot", name: "Depot Utrecht", tags: ["depot"] },
        truck: { id: "T-1", lastPosition: { lat: 52, lon: 5.12, eventTime: t, seq: 7 } },
      },
    });
    // A whole-valued float stays a float for schema-inferring consumers.
    expect(enter?.body).toContain('"lat":52.0');
    expect(enter?.body).toContain('"seq":7,');
  });

  it("sends a test event and a redelivery with the same webhook-id, and logs both attempts", async () => {
    const queued = await store.sendTest(endpointId);
    if (!queued.ok) throw new Error(queued.message);
    await vi.waitFor(
      () => expect(received.filter((d) => d.id === queued.value.id)).toHaveLength(1),
      { timeout: 10_000 },
    );
    await vi.waitFor(async () => {
      const log = await store.getDelivery(queued.value.id);
      expect(log.ok && log.value.status).toBe("succeeded");
    });
    const again = await store.redeliver(queued.value.id);
    expect(again.ok).toBe(true);
    await vi.waitFor(
      () => expect(received.filter((d) => d.id === queued.value.id)).toHaveLength(2),
      { timeout: 10_000 },
    );
    await vi.waitFor(async () => {
      const log = await store.getDelivery(queued.value.id);
      if (!log.ok) throw new Error(log.message);
      expect(log.value.attemptLog.map((a) => [a.statusCode, a.succeeded])).toEqual([
        [204, true],
        [204, true],
      ]);
    });
    const [first, second] = received.filter((d) => d.id === queued.value.id);
    expect(first?.payload.type).toBe("webhook.test");
    expect(second?.body).toBe(first?.body);
    expect(second?.count).toBe(2);
  });
});
