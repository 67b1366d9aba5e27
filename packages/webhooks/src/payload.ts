import {
  type AlertWebhookData,
  alertEventType,
  type GeofenceAlert,
  jsonWriter,
  TEST_EVENT_TYPE,
  type TruckLastPosition,
  WebhookPayload,
} from "@fleetstream/contracts";

/** Writes a payload as JSON with floats kept floats (lat 52 is written 52.0). */
export const writePayload = jsonWriter(WebhookPayload);

export interface FenceInfo {
  name: string | null;
  tags: readonly string[];
}

/** The truck's stored position (trucks table), when there is one. */
export interface StoredPosition {
  lat: number;
  lon: number;
  speedKmh: number;
  headingDeg: number;
  eventTime: number;
  seq: number;
}

/**
 * The truck's last position: its stored position if that is newer than the alert's fix (the
 * processor writes the trucks table at checkpoints, so it may lag behind or be missing), else the
 * alert's confirming fix.
 */
export function lastPosition(alert: GeofenceAlert, stored?: StoredPosition): TruckLastPosition {
  if (stored && stored.eventTime > alert.eventTime) {
    return { ...stored, headingDeg: stored.headingDeg };
  }
  return {
    lat: alert.lat,
    lon: alert.lon,
    speedKmh: alert.speedKmh,
    headingDeg: null,
    eventTime: alert.eventTime,
    seq: alert.seq,
  };
}

export function alertData(
  alert: GeofenceAlert,
  fence: FenceInfo | undefined,
  stored?: StoredPosition,
): AlertWebhookData {
  return {
    alert,
    geofence: { id: alert.geofenceId, name: fence?.name ?? null, tags: [...(fence?.tags ?? [])] },
    truck: { id: alert.truckId, lastPosition: lastPosition(alert, stored) },
  };
}

/** The body of an alert's delivery: the same bytes for every endpoint and every attempt. */
export function alertPayload(
  alert: GeofenceAlert,
  fence: FenceInfo | undefined,
  stored?: StoredPosition,
) {
  const payload: WebhookPayload = {
    type: alertEventType(alert.kind),
    timestamp: new Date(alert.eventTime).toISOString(),
    data: alertData(alert, fence, stored),
  };
  return { type: payload.type, body: writePayload(payload) };
}

/** A webhook.test body: a message and what a geofence.enter delivery's data looks like. */
export function testPayload(endpointId: string, now: number) {
  const example: GeofenceAlert = {
    v: 1,
    id: `T-TEST/fence-test/ENTER/${now}`,
    kind: "ENTER",
    truckId: "T-TEST",
    geofenceId: "fence-test",
    geofenceVersion: 1,
    eventTime: now,
    since: now - 20_000,
    seq: 42,
    lat: 52.09,
    lon: 5.12,
    speedKmh: 48,
  };
  const payload: WebhookPayload = {
    type: TEST_EVENT_TYPE,
    timestamp: new Date(now).toISOString(),
    data: {
      endpointId,
      message: "Test event from Fleetstream: your endpoint is reachable and verifies signatures.",
      example: alertData(example, { name: "Test fence", tags: ["test"] }),
    },
  };
  return { type: payload.type, body: writePayload(payload) };
}
