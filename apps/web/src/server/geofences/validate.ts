import { describeIssues, GeofenceInput, type GeofenceSettings } from "@fleetstream/contracts";
import { geometryProblems } from "@fleetstream/geofence";

export type Validated = { ok: true; value: GeofenceSettings } | { ok: false; problems: string[] };

/**
 * A geofence as a client sent it: the schema first (types, ranges, closed rings, radius > 0),
 * then the topology the schema cannot see (self-intersection, holes, supported region). Each
 * problem names where it is, e.g. "geometry.coordinates.0: unclosed ring: ...".
 */
export function validateGeofenceInput(input: unknown): Validated {
  const parsed = GeofenceInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: describeIssues(parsed.error).split("; ") };
  }
  const problems = geometryProblems(parsed.data.geometry);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: parsed.data };
}
