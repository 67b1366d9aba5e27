import { z } from "zod";
import { Geofence, GeofenceAlert } from "./geofence";
import { GpsFix, TruckPosition } from "./gps-fix";
import { TOPICS } from "./topics";
import { WEBHOOK_PAYLOAD_SCHEMAS, type WebhookEventType } from "./webhooks";
import { LateGpsFix, ScopeSpeedWindow, TruckSpeedWindow } from "./windows";

/**
 * JSON Schemas (draft 2020-12) of every topic's record values and every webhook payload,
 * generated from the zod contracts (z.toJSONSchema), so the schema integrators read is the one
 * the code validates with. The web app serves them under /api/contracts/schemas/<name>.
 */
export interface SchemaEntry {
  name: string;
  kind: "topic" | "webhook";
  description: string;
  schema: z.ZodType;
}

const topic = (name: string, schema: z.ZodType, description: string): SchemaEntry => ({
  name,
  kind: "topic",
  description,
  schema,
});

const webhook = (type: WebhookEventType): SchemaEntry => ({
  name: type,
  kind: "webhook",
  description: `Body of a "${type}" webhook delivery (Standard Webhooks; JSON, signed).`,
  schema: WEBHOOK_PAYLOAD_SCHEMAS[type],
});

export const SCHEMA_ENTRIES: readonly SchemaEntry[] = [
  topic(TOPICS.gpsFixes.name, GpsFix, "A GPS fix as a truck reports it; key = truck id."),
  topic(
    TOPICS.gpsDeadLetter.name,
    z.unknown(),
    "The unchanged bytes of a gps_location_trucks record that failed validation (any content); " +
      "the reason is in the dlq.reason header, the source in dlq.source.topic|partition|offset.",
  ),
  topic(TOPICS.truckPositions.name, TruckPosition, "Latest accepted position; key = truck id."),
  topic(
    TOPICS.geofences.name,
    Geofence,
    "A geofence version; key = geofence id. A null value (tombstone) deletes the fence, with " +
      "the deletion time in the geofence.deleted.at header.",
  ),
  topic(TOPICS.truckGeofenceAlerts.name, GeofenceAlert, "A geofence alert; key = truck id."),
  topic(TOPICS.truckSpeedWindows.name, TruckSpeedWindow, "A per-truck speed window."),
  topic(TOPICS.scopeSpeedWindows.name, ScopeSpeedWindow, "A fleet or per-geofence speed window."),
  topic(TOPICS.gpsLate.name, LateGpsFix, "A fix that came after its window was final."),
  ...(Object.keys(WEBHOOK_PAYLOAD_SCHEMAS) as WebhookEventType[]).map(webhook),
];

/** The JSON Schema document of one entry, with $id and title; undefined for an unknown name. */
export function jsonSchemaOf(name: string, baseUrl = ""): Record<string, unknown> | undefined {
  const entry = SCHEMA_ENTRIES.find((candidate) => candidate.name === name);
  if (!entry) return undefined;
  return {
    $id: `${baseUrl}/api/contracts/schemas/${entry.name}`,
    title: entry.kind === "topic" ? `Record value of topic ${entry.name}` : `Webhook ${entry.name}`,
    description: entry.description,
    ...z.toJSONSchema(entry.schema, { io: "output", unrepresentable: "any" }),
  };
}
