import {
  GEOFENCE_DELETED_AT_HEADER,
  type Geofence,
  type GeofenceGeometry,
  TOPICS,
} from "@fleetstream/contracts";
import type { EventLog } from "@fleetstream/eventlog";

// Shared by the geofence integration tests (not a test file itself).

export { brokers, seekGroupToEnd } from "./support";

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
