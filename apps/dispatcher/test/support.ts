import { randomBytes } from "node:crypto";
import path from "node:path";
import { type Geofence, type GeofenceAlert, TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { seededRandom } from "@fleetstream/geofence/testing";
import { createLogger } from "@fleetstream/service";
import { type AppProcess, startAppProcess } from "@fleetstream/service/testing";
import {
  createWebhookStore,
  DispatcherSettings,
  parseAllowList,
  type WebhookStore,
} from "@fleetstream/webhooks";
import { Kafka, logLevel } from "kafkajs";
import { createDispatcher } from "../src/dispatcher";

// Shared by the dispatcher's integration tests (not a test file itself).

export const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const alertsTopic = TOPICS.truckGeofenceAlerts.name;

/** Starts `groupId` at the alert topic's current end, so it skips what earlier runs left there. */
export async function seekGroupToEnd(eventLog: EventLog, groupId: string): Promise<void> {
  await eventLog.ensureTopics([TOPICS.truckGeofenceAlerts]);
  const ends = await eventLog.offsets(alertsTopic);
  const admin = new Kafka({
    clientId: `${groupId}-admin`,
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    // On a fresh broker the first group operation creates __consumer_offsets, whose leaders
    // take a moment: retry what kafkajs marks retriable.
    for (let tries = 1; ; tries++) {
      try {
        await admin.setOffsets({
          groupId,
          topic: alertsTopic,
          partitions: ends.map((e) => ({ partition: e.partition, offset: String(e.high) })),
        });
        return;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || tries >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export interface Fence {
  id: string;
  name: string;
  tags: string[];
}

/** Stores fences the way the web API does (the dispatcher reads their name and tags). */
export async function storeFences(db: Database, fences: readonly Fence[]): Promise<void> {
  const at = new Date();
  await db.prisma.geofence.createMany({
    data: fences.map((fence) => ({
      ...fence,
      enabled: true,
      geometry: { type: "Circle", center: [5, 52], radiusM: 100 } satisfies Geofence["geometry"],
      debounceFixes: 3,
      debounceSeconds: 20,
      version: 1,
      createdAt: at,
      updatedAt: at,
    })),
  });
}

const KINDS: GeofenceAlert["kind"][] = ["ENTER", "EXIT", "DWELL", "CROSSED", "OVERSPEED"];

/** A seeded stream of alerts over the given trucks and fences, distinct ids, in event time. */
export function seededAlerts(options: {
  seed: number;
  count: number;
  trucks: readonly string[];
  fences: readonly Fence[];
  start?: number;
}): GeofenceAlert[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let eventTime = options.start ?? Date.UTC(2026, 10, 20, 8);
  return Array.from({ length: options.count }, (_, seq) => {
    eventTime += 1_000 + Math.floor(random() * 20_000);
    const truckId = pick(options.trucks);
    const geofenceId = pick(options.fences).id;
    const kind = pick(KINDS);
    return {
      v: 1,
      id: `${truckId}/${geofenceId}/${kind}/${eventTime}`,
      kind,
      truckId,
      geofenceId,
      geofenceVersion: 1,
      eventTime,
      since: eventTime - 20_000,
      seq,
      lat: 52 + random(),
      lon: 4 + random() * 2,
      speedKmh: Math.round(random() * 1_200) / 10,
    };
  });
}

/** Publishes alerts to truck_geofence_alerts as the processor does (key = truck id). */
export async function publishAlerts(
  eventLog: EventLog,
  alerts: readonly GeofenceAlert[],
): Promise<void> {
  const producer = eventLog.producer();
  try {
    await producer.send(
      alertsTopic,
      alerts.map((alert) => ({ key: alert.truckId, value: JSON.stringify(alert) })),
    );
  } finally {
    await producer.close();
  }
}

export type DispatcherProcess = AppProcess;

/** The dispatcher as its own process, as in production. */
export function startDispatcherProcess(
  env: Record<string, string>,
  output: (chunk: Buffer) => void = () => {},
): DispatcherProcess {
  return startAppProcess({
    entry: "apps/dispatcher/src/main.ts",
    cwd: repoRoot,
    env: {
      KAFKA_BROKERS: brokers.join(","),
      LOG_LEVEL: "warn",
      // A killed dispatcher's partitions move within seconds (the broker's minimum is 6 s).
      KAFKA_SESSION_TIMEOUT_MS: "6000",
      ...env,
    },
    output,
  });
}

export interface Harness {
  db: Database;
  eventLog: EventLog;
  store: WebhookStore;
  dispatcher: ReturnType<typeof createDispatcher>;
  groupId: string;
  stop(): Promise<void>;
}

/**
 * A scratch PostgreSQL database, the real Kafka, a webhook store that allows loopback targets,
 * and the dispatcher in this process on a fresh consumer group that starts at the topic's end.
 */
export async function startHarness(settings: Record<string, string> = {}): Promise<Harness> {
  const scratch = scratchDatabases();
  const db = await openDatabase({ url: await scratch.create() });
  await db.migrate();
  const eventLog = createEventLog({ clientId: "it-dispatcher", brokers });
  const groupId = `it-dispatcher-${randomBytes(4).toString("hex")}`;
  await seekGroupToEnd(eventLog, groupId);
  const store = createWebhookStore({ prisma: db.prisma, allow: parseAllowList("127.0.0.0/8") });
  const dispatcher = createDispatcher({
    eventLog,
    prisma: db.prisma,
    logger: createLogger("it-dispatcher", process.env.IT_LOG_LEVEL ?? "silent"),
    config: {
      settings: DispatcherSettings.parse({
        WEBHOOK_ALLOWED_TARGETS: "127.0.0.0/8",
        WEBHOOK_POLL_MS: "50",
        DISPATCHER_GROUP_ID: groupId,
        ...settings,
      }),
      partitions: 5,
    },
  });
  await dispatcher.start();
  return {
    db,
    eventLog,
    store,
    dispatcher,
    groupId,
    async stop() {
      await dispatcher.stop();
      await eventLog.close();
      await db.close();
      await scratch.dropAll();
    },
  };
}

/** Registers an endpoint; returns its id and secret. */
export async function registerEndpoint(store: WebhookStore, input: Record<string, unknown>) {
  const created = await store.create(input);
  if (!created.ok) throw new Error(created.message);
  return { id: created.value.endpoint.id, secret: created.value.secret };
}
