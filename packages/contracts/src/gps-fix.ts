import { z } from "zod";

/**
 * One GPS fix as a truck reports it, JSON on topic gps_location_trucks, key = truckId.
 * Documented wire format (README "Event format"):
 *   {"truckId":"T-0001","seq":42,"lat":52.37,"lon":4.89,"speedKmh":71.5,"headingDeg":93,"eventTime":1764000000000}
 */
export const TruckId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "truckId may hold letters, digits and _ . : - only");

/**
 * The event times a fix may carry: 2000-01-01 up to (not including) 2100-01-01 UTC. Wider
 * values would break dates (8.7e15 ms is beyond a JavaScript Date) and windows; the processor
 * also refuses fixes too far ahead of its own clock (PROCESSOR_MAX_EVENT_AHEAD_MS).
 */
export const EVENT_TIME_RANGE = { min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) } as const;

export const GpsFix = z.strictObject({
  /** Schema version of this record; absent means 1. */
  v: z.literal(1).optional(),
  truckId: TruckId,
  /**
   * Per-truck sequence number (0..2^53-1, stored as int8), increasing by one per fix; used to
   * drop duplicates. The simulator starts it at the start time in epoch seconds.
   */
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Ground speed in km/h. */
  speedKmh: z.number().min(0).max(400),
  /** Course over ground, degrees clockwise from north, [0, 360). */
  headingDeg: z.number().min(0).lt(360),
  /** When the fix was taken (event time), Unix epoch milliseconds, UTC. */
  eventTime: z
    .int()
    .min(EVENT_TIME_RANGE.min, "before 2000-01-01 (epoch milliseconds expected)")
    .lt(EVENT_TIME_RANGE.max, "2100-01-01 or later (epoch milliseconds expected)"),
  /** Horizontal accuracy estimate in metres, when the device reports one. */
  accuracyM: z.number().min(0).optional(),
});
export type GpsFix = z.infer<typeof GpsFix>;

/** What the processor publishes for the dashboard: an accepted fix plus when it was processed. */
export const TruckPosition = GpsFix.extend({
  processedAt: z.int().min(0),
});
export type TruckPosition = z.infer<typeof TruckPosition>;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Turns a zod error into one line that names each failing field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(record)"}: ${issue.message}`)
    .join("; ");
}

/**
 * Decodes bytes from Kafka with a schema; never throws, the reason names the field. `accepts`,
 * when given, is a quicker check of the common case: a value it accepts is taken as it is,
 * anything else goes through the schema (which names what is wrong).
 */
export function decodeJson<T>(
  schema: z.ZodType<T>,
  bytes: Uint8Array | string | null,
  accepts?: (json: unknown) => json is T,
): Decoded<T> {
  if (bytes === null) return { ok: false, reason: "empty record (null value)" };
  // A Buffer (what Kafka clients hand over) decodes in place; another view is wrapped, not copied.
  const text =
    typeof bytes === "string"
      ? bytes
      : Buffer.isBuffer(bytes)
        ? bytes.toString("utf8")
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  if (accepts?.(json)) return { ok: true, value: json };
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: describeIssues(parsed.error) };
}

const GPS_FIX_KEYS = new Set(Object.keys(GpsFix.shape));
const TRUCK_POSITION_KEYS = new Set(Object.keys(TruckPosition.shape));
const TRUCK_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Plain checks that zod's would pass, for quick checks of hot paths (see isGpsFix). */
export const quickCheck = {
  /** A plain object (what JSON.parse gives for `{...}`) whose keys are all in `keys`. */
  objectWithKeys(json: unknown, keys: ReadonlySet<string>): json is Record<string, unknown> {
    if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
    for (const key in json) if (!keys.has(key)) return false;
    return true;
  },
  truckId: (value: unknown): boolean => typeof value === "string" && TRUCK_ID.test(value),
  within: (value: unknown, min: number, max: number): boolean =>
    typeof value === "number" && value >= min && value <= max,
  /** z.number().min(0): finite too. */
  atLeast0: (value: unknown): boolean =>
    typeof value === "number" && value >= 0 && value <= Number.MAX_VALUE,
  /** z.int().min(0). */
  wholeAtLeast0: (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0,
};

const fixFieldsValid = (f: Record<string, unknown>): boolean =>
  (f.v === undefined || f.v === 1) &&
  quickCheck.truckId(f.truckId) &&
  quickCheck.wholeAtLeast0(f.seq) &&
  quickCheck.within(f.lat, -90, 90) &&
  quickCheck.within(f.lon, -180, 180) &&
  quickCheck.within(f.speedKmh, 0, 400) &&
  quickCheck.within(f.headingDeg, 0, 360) &&
  f.headingDeg !== 360 &&
  Number.isSafeInteger(f.eventTime) &&
  quickCheck.within(f.eventTime, EVENT_TIME_RANGE.min, EVENT_TIME_RANGE.max) &&
  f.eventTime !== EVENT_TIME_RANGE.max &&
  (f.accuracyM === undefined || quickCheck.atLeast0(f.accuracyM));

/**
 * The GpsFix schema as plain checks, for the processor's hot path (every input record): a record
 * this accepts is one the schema accepts, unchanged (a property test holds the two together).
 */
export function isGpsFix(json: unknown): json is GpsFix {
  return quickCheck.objectWithKeys(json, GPS_FIX_KEYS) && fixFieldsValid(json);
}

/** The TruckPosition schema as plain checks, for the web app's position feed (as isGpsFix). */
export function isTruckPosition(json: unknown): json is TruckPosition {
  return (
    quickCheck.objectWithKeys(json, TRUCK_POSITION_KEYS) &&
    quickCheck.wholeAtLeast0(json.processedAt) &&
    fixFieldsValid(json)
  );
}

export const decodeGpsFix = (bytes: Uint8Array | string | null): Decoded<GpsFix> =>
  decodeJson(GpsFix, bytes, isGpsFix);
