import type { GpsFix } from "@fleetstream/contracts";

/**
 * Serializes a fix as JSON with a fixed key order (v, truckId, seq, lat, lon, speedKmh,
 * headingDeg, eventTime, accuracyM), so equal fixes give equal bytes. Hand-written for speed (it
 * runs 50k+ times a second); equal to JSON.stringify of the object in that order, which the tests
 * check. truckId is restricted by the contract to [A-Za-z0-9_.:-], so it needs no escaping.
 */
export function serializeFix(fix: GpsFix): string {
  const head = fix.v === undefined ? "{" : `{"v":${fix.v},`;
  const tail = fix.accuracyM === undefined ? "}" : `,"accuracyM":${fix.accuracyM}}`;
  return `${head}"truckId":"${fix.truckId}","seq":${fix.seq},"lat":${fix.lat},"lon":${fix.lon},"speedKmh":${fix.speedKmh},"headingDeg":${fix.headingDeg},"eventTime":${fix.eventTime}${tail}`;
}

/**
 * Every kind of malformed record the simulator can inject; each is one the contract
 * (`decodeGpsFix`) rejects, which the tests check kind by kind.
 */
export const MALFORMED_KINDS = [
  "not-json",
  "null-value",
  "not-an-object",
  "missing-field",
  "wrong-type",
  "out-of-range",
  "bad-truck-id",
  "fractional-seq",
  "unknown-field",
  "unknown-version",
] as const;

export type MalformedKind = (typeof MALFORMED_KINDS)[number];

const REQUIRED_FIELDS = [
  "truckId",
  "seq",
  "lat",
  "lon",
  "speedKmh",
  "headingDeg",
  "eventTime",
] as const;
const OUT_OF_RANGE: ReadonlyArray<[keyof GpsFix, number]> = [
  ["lat", 91.5],
  ["lon", -180.5],
  ["speedKmh", -3],
  ["headingDeg", 360],
  ["seq", -1],
  ["eventTime", -1],
  ["accuracyM", -5],
];

/**
 * A broken version of `fix`, of the given kind. `variant` (any non-negative integer) picks which
 * field is broken where a kind has several. Returns the record value; null is a Kafka tombstone.
 */
export function malformFix(fix: GpsFix, kind: MalformedKind, variant: number): string | null {
  const base: Record<string, unknown> = { ...fix };
  switch (kind) {
    case "not-json": {
      const text = serializeFix(fix);
      return text.slice(0, 1 + (variant % (text.length - 2)));
    }
    case "null-value":
      return null;
    case "not-an-object":
      return variant % 2 === 0
        ? JSON.stringify([fix.truckId, fix.lat, fix.lon])
        : `"${fix.truckId}"`;
    case "missing-field": {
      const field = REQUIRED_FIELDS[variant % REQUIRED_FIELDS.length] as string;
      delete base[field];
      return JSON.stringify(base);
    }
    case "wrong-type": {
      const field = REQUIRED_FIELDS[variant % REQUIRED_FIELDS.length] as string;
      base[field] =
        field === "truckId"
          ? 7
          : field === "eventTime"
            ? new Date(fix.eventTime).toISOString()
            : String(base[field]);
      return JSON.stringify(base);
    }
    case "out-of-range": {
      const [field, value] = OUT_OF_RANGE[variant % OUT_OF_RANGE.length] as [string, number];
      base[field] = value;
      return JSON.stringify(base);
    }
    case "bad-truck-id":
      base.truckId = variant % 2 === 0 ? "" : `${fix.truckId} #${variant % 10}`;
      return JSON.stringify(base);
    case "fractional-seq":
      base.seq = fix.seq + 0.5;
      return JSON.stringify(base);
    case "unknown-field":
      base.driver = "anonymous";
      return JSON.stringify(base);
    case "unknown-version":
      base.v = 2;
      return JSON.stringify(base);
  }
}
