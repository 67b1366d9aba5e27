import { describeIssues, GeofenceInput, type GeofenceSettings } from "@fleetstream/contracts";
import { geometryProblems, MAX_POSITIONS, tooManyPositions } from "@fleetstream/geofence";

export type Validated = { ok: true; value: GeofenceSettings } | { ok: false; problems: string[] };

/**
 * A geofence as a client sent it: the schema first (types, ranges, closed rings, radius > 0),
 * then the topology the schema cannot see (self-intersection, holes, supported region). Each
 * problem names where it is, e.g. "geometry.coordinates.0: unclosed ring: ...".
 */
export function validateGeofenceInput(input: unknown): Validated {
  // Counted before the schema, which takes ~100 ms on 50,000 positions: too many is refused at once.
  const count = positionCount(
    (input as { geometry?: { coordinates?: unknown } })?.geometry?.coordinates,
  );
  if (count > MAX_POSITIONS) return { ok: false, problems: [tooManyPositions(count)] };
  const parsed = GeofenceInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: describeIssues(parsed.error).split("; ") };
  }
  const problems = geometryProblems(parsed.data.geometry);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: parsed.data };
}

/** Positions in GeoJSON-style nested coordinate arrays (a position is an array of numbers). */
function positionCount(value: unknown): number {
  if (!Array.isArray(value)) return 0;
  if (value.length === 0 || typeof value[0] === "number") return 1;
  let count = 0;
  for (const item of value) count += positionCount(item);
  return count;
}
