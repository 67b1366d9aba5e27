import { z } from "zod";
import { GEOFENCE_ALERT_KINDS } from "./constants";
import { GeofenceId } from "./geofence";
import { TruckId } from "./gps-fix";

// Query-string pieces of the REST endpoints (all values arrive as strings).

/** An instant: epoch milliseconds or an ISO 8601 time with a zone ("2026-12-01T12:00:00Z"). */
export const Instant = z.string().transform((text, ctx) => {
  const value = /^\d+$/.test(text)
    ? Number(text)
    : /T.*(Z|[+-]\d\d:?\d\d)$/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    ctx.addIssue({
      code: "custom",
      message: "must be epoch milliseconds or an ISO 8601 time with a zone",
    });
    return z.NEVER;
  }
  return value;
});

/** "a,b,c" (or the parameter repeated) → a list of distinct items, each checked. */
export function listOf<T extends string>(item: z.ZodType<T, string>, max: number) {
  return z
    .string()
    .transform((text) => [
      ...new Set(
        text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item).min(1, "needs at least one value").max(max, `at most ${max} values`));
}

export const AlertKinds = listOf(z.enum(GEOFENCE_ALERT_KINDS), 5);
export const TruckIds = (max: number) => listOf(TruckId, max);
export const GeofenceIds = (max: number) => listOf(GeofenceId, max);

export const Limit = (max: number, fallback: number) =>
  z.coerce.number().int("must be a whole number").min(1).max(max).default(fallback);

export const BooleanText = z
  .enum(["true", "false"], "must be true or false")
  .transform((value) => value === "true");

/** Checks from < to and to - from <= maxMs on a parsed {from, to}; names the field. */
export function checkRange<
  S extends z.ZodType<{ from?: number | undefined; to?: number | undefined }>,
>(schema: S, maxMs: number): S {
  return schema.superRefine((value, ctx) => {
    if (value.from === undefined || value.to === undefined) return;
    if (value.to <= value.from) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    } else if (value.to - value.from > maxMs) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `the range may span at most ${maxMs / 3_600_000} h`,
      });
    }
  });
}
