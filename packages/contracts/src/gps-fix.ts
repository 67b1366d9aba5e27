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
  eventTime: z.int().min(0),
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

/** Decodes bytes from Kafka with a schema; never throws, the reason names the field. */
export function decodeJson<T>(schema: z.ZodType<T>, bytes: Uint8Array | string | null): Decoded<T> {
  if (bytes === null) return { ok: false, reason: "empty record (null value)" };
  const text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: describeIssues(parsed.error) };
}

export const decodeGpsFix = (bytes: Uint8Array | string | null): Decoded<GpsFix> =>
  decodeJson(GpsFix, bytes);
