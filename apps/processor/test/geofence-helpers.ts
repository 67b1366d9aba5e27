import {
  GEOFENCE_DELETED_AT_HEADER,
  type Geofence,
  type GeofenceGeometry,
  TOPICS,
} from "@fleetstream/contracts";
import type { EventLog } from "@fleetstream/eventlog";
import { Kafka, logLevel } from "kafkajs";

// Shared by the geofence integration tests (not a test file itself).

export const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

/**
 * Commits `groupId`'s offsets at the topic's current end, so a processor of a fresh group starts
 * there instead of replaying everything earlier runs left on the shared GPS topic. Returns the
 * end offsets (the test's records come after them).
 */
export async function seekGroupToEnd(
  eventLog: EventLog,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const ends = await eventLog.offsets(topic);
  const admin = new Kafka({
    clientId: `${groupId}-admin`,
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((e) => ({ partition: e.partition, offset: String(e.high) })),
    });
  } finally {
    await admin.disconnect();
  }
  return new Map(ends.map((e) => [e.partition, e.high]));
}

export function geofence(
  id: string,
  geometry: GeofenceGeometry,
  updatedAt: number,
  overrides: Partial<Geofence> = {},
): Geofence {
  return {
    id,
    version: 1,
    name: id,
    tags: ["it"],
    enabled: true,
    geometry,
    speedLimitKmh: null,
    dwellSeconds: null,
    debounce: { fixes: 3, seconds: 20 },
    createdAt: updatedAt,
    updatedAt,
    ...overrides,
  };
}

/** Publishes fences to the compacted topic the way the web API does. */
export async function publishGeofences(
  eventLog: EventLog,
  fences: readonly Geofence[],
): Promise<void> {
  await eventLog.ensureTopics([TOPICS.geofences]);
  const producer = eventLog.producer();
  try {
    await producer.send(
      TOPICS.geofences.name,
      fences.map((f) => ({ key: f.id, value: JSON.stringify(f) })),
    );
  } finally {
    await producer.close();
  }
}

/** Tombstones: the fences are deleted at `at`. */
export async function deleteGeofences(
  eventLog: EventLog,
  ids: readonly string[],
  at: number,
): Promise<void> {
  const producer = eventLog.producer();
  try {
    await producer.send(
      TOPICS.geofences.name,
      ids.map((id) => ({
        key: id,
        value: null,
        headers: { [GEOFENCE_DELETED_AT_HEADER]: String(at) },
      })),
    );
  } finally {
    await producer.close();
  }
}

/** Metres to degrees around latitude `lat`. */
export const metresToDeg = (lat: number) => ({
  lat: (m: number) => m / 111_195,
  lon: (m: number) => m / (111_195 * Math.cos((lat * Math.PI) / 180)),
});
