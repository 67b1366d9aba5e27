import { z } from "zod";
import { DEFAULT_DEBOUNCE, GEOFENCE_ALERT_KINDS } from "./constants";
import { TruckId } from "./gps-fix";

/**
 * Geofences and geofence alerts.
 *
 * Geofences are written through the web API (PostgreSQL is the source of truth) and published to
 * the compacted topic `geofences`: key = geofence id, value = the whole `Geofence` as JSON, a
 * tombstone (null value) on delete with the deletion time in the `geofence.deleted.at` header.
 * A change applies to fixes whose event time is at or after the change's `updatedAt`.
 *
 * Alerts are published to `truck_geofence_alerts` (key = truck id) as `GeofenceAlert` JSON and
 * stored in PostgreSQL under their deterministic id (see `geofenceAlertId`).
 */

export const GeofenceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "geofence id may hold letters, digits and _ . : - only");

const Longitude = z.number().min(-180, "longitude below -180").max(180, "longitude above 180");
const Latitude = z.number().min(-90, "latitude below -90").max(90, "latitude above 90");

/** A GeoJSON position: [longitude, latitude] in degrees (WGS 84). */
export const Position = z.tuple([Longitude, Latitude]);
export type Position = z.infer<typeof Position>;

/** A closed ring: at least 4 positions, the last equal to the first (GeoJSON, RFC 7946 3.1.6). */
export const LinearRing = z
  .array(Position)
  .min(4, "a ring needs at least 4 positions (3 corners and the closing one)")
  .superRefine((ring, ctx) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
      ctx.addIssue({
        code: "custom",
        message: `unclosed ring: the last position [${last}] must equal the first [${first}]`,
      });
    }
  });

export const PolygonGeometry = z.strictObject({
  type: z.literal("Polygon"),
  /** Outer ring first, then holes. Edges are straight lines in longitude/latitude, as in GeoJSON. */
  coordinates: z.array(LinearRing).min(1, "a polygon needs an outer ring"),
});

export const MultiPolygonGeometry = z.strictObject({
  type: z.literal("MultiPolygon"),
  coordinates: z
    .array(z.array(LinearRing).min(1, "a polygon needs an outer ring"))
    .min(1, "a multipolygon needs at least one polygon"),
});

/** Not GeoJSON: a centre and a radius in metres (great-circle distance). */
export const CircleGeometry = z.strictObject({
  type: z.literal("Circle"),
  center: Position,
  radiusM: z.number().gt(0, "radius must be > 0 metres").max(500_000, "radius above 500 km"),
});

/** Not GeoJSON: a LineString and a buffer: inside = within `bufferM` metres of the line. */
export const CorridorGeometry = z.strictObject({
  type: z.literal("Corridor"),
  coordinates: z.array(Position).min(2, "a corridor line needs at least 2 positions"),
  /** Distance from the line on each side, metres (great-circle distance to the segments). */
  bufferM: z.number().gt(0, "buffer must be > 0 metres").max(50_000, "buffer above 50 km"),
});

/**
 * Most positions one geofence's geometry may have, all rings (or a corridor's line) together:
 * the web API refuses more (400 naming the limit). It keeps validation (a sweep in
 * O(n log n), packages/geofence) near 50 ms of the server's event loop; at ~21–38 bytes a
 * position it also stays below the 1 MB request and Kafka record limits.
 */
export const MAX_GEOFENCE_POSITIONS = 20_000;

export const GeofenceGeometry = z.discriminatedUnion("type", [
  PolygonGeometry,
  MultiPolygonGeometry,
  CircleGeometry,
  CorridorGeometry,
]);
export type GeofenceGeometry = z.infer<typeof GeofenceGeometry>;

/**
 * An ENTER/EXIT (and OVERSPEED) is confirmed once the truck has been on the new side for at least
 * `fixes` consecutive fixes AND at least `seconds` of event time (first to latest of those fixes).
 * 0 disables a criterion; both 0 (or fixes 1, seconds 0) confirms on the first fix.
 */
export const DebounceSettings = z.strictObject({
  fixes: z.int().min(0).max(100),
  seconds: z.number().min(0).max(3_600),
});
export type DebounceSettings = z.infer<typeof DebounceSettings>;

/**
 * Text a person typed (names, tags, descriptions): no NUL characters, which PostgreSQL cannot
 * store in text and which only ever arrive by mistake or on purpose. 400 naming the field.
 */
export const userText = <T extends z.ZodType<string>>(schema: T) =>
  schema.refine((text) => !text.includes("\0"), "must not contain NUL characters (\\u0000)");

/** What a client sends to create or replace a geofence (POST, PUT). */
export const GeofenceInput = z.strictObject({
  name: userText(z.string().trim().min(1, "name must not be empty").max(200)),
  tags: z
    .array(userText(z.string().trim().min(1).max(64)))
    .max(50)
    .default([]),
  enabled: z.boolean().default(true),
  geometry: GeofenceGeometry,
  /** OVERSPEED is raised inside the fence above this speed; null/absent = no limit. */
  speedLimitKmh: z.number().gt(0).max(400).nullable().default(null),
  /** DWELL is raised once per visit after this long inside; null/absent = no DWELL. */
  dwellSeconds: z
    .int()
    .gt(0)
    .max(30 * 24 * 3_600)
    .nullable()
    .default(null),
  debounce: DebounceSettings.default(DEFAULT_DEBOUNCE),
});
export type GeofenceInput = z.input<typeof GeofenceInput>;
export type GeofenceSettings = z.output<typeof GeofenceInput>;

/** A stored geofence: the API's answer and the value on the `geofences` topic. */
export const Geofence = z.strictObject({
  ...GeofenceInput.shape,
  id: GeofenceId,
  /** 1 on create, +1 per update. */
  version: z.int().min(1),
  createdAt: z.int().min(0),
  /** When this version took effect (epoch ms); it applies to fixes at or after this time. */
  updatedAt: z.int().min(0),
});
export type Geofence = z.output<typeof Geofence>;

/** Header on a geofence tombstone: when the fence was deleted (epoch ms, decimal string). */
export const GEOFENCE_DELETED_AT_HEADER = "geofence.deleted.at";

export const GeofenceAlertKind = z.enum(GEOFENCE_ALERT_KINDS);
export type GeofenceAlertKind = z.infer<typeof GeofenceAlertKind>;

/** One alert, JSON on topic truck_geofence_alerts (key = truck id). */
export const GeofenceAlert = z.strictObject({
  v: z.literal(1),
  /** Deterministic: `geofenceAlertId(truckId, geofenceId, kind, eventTime)`. */
  id: z.string().min(1),
  kind: GeofenceAlertKind,
  truckId: TruckId,
  geofenceId: GeofenceId,
  /** The geofence version in force at `eventTime`. */
  geofenceVersion: z.int().min(1),
  /** Event time of the fix that confirmed the alert (epoch ms). */
  eventTime: z.int().min(0),
  /**
   * When it began: ENTER/EXIT/OVERSPEED the first fix on the new side, DWELL the visit's start,
   * CROSSED the fix before the crossing.
   */
  since: z.int().min(0),
  /** The confirming fix. */
  seq: z.int().min(0),
  lat: z.number(),
  lon: z.number(),
  speedKmh: z.number(),
});
export type GeofenceAlert = z.infer<typeof GeofenceAlert>;

/**
 * The alert id: the same truck, fence, kind and confirming event time always give the same id, so
 * a replay after a crash produces ids the database already holds. `/` appears in neither id.
 */
export const geofenceAlertId = (
  truckId: string,
  geofenceId: string,
  kind: GeofenceAlertKind,
  eventTime: number,
): string => `${truckId}/${geofenceId}/${kind}/${eventTime}`;
