import type { GeofenceAlert, WebhookFilters } from "@fleetstream/contracts";

/**
 * Whether an endpoint wants an alert. Each filter that is set must match; an empty list (or a
 * null prefix) does not filter. Fences match by id OR tag, trucks by id OR prefix.
 */
export function matchesFilters(
  filters: WebhookFilters,
  alert: Pick<GeofenceAlert, "kind" | "truckId" | "geofenceId">,
  fenceTags: readonly string[],
): boolean {
  if (filters.alertKinds.length > 0 && !filters.alertKinds.includes(alert.kind)) return false;
  if (filters.geofenceIds.length > 0 || filters.geofenceTags.length > 0) {
    const byId = filters.geofenceIds.includes(alert.geofenceId);
    const byTag = fenceTags.some((tag) => filters.geofenceTags.includes(tag));
    if (!byId && !byTag) return false;
  }
  if (filters.truckIds.length > 0 || filters.truckIdPrefix !== null) {
    const byId = filters.truckIds.includes(alert.truckId);
    const byPrefix =
      filters.truckIdPrefix !== null && alert.truckId.startsWith(filters.truckIdPrefix);
    if (!byId && !byPrefix) return false;
  }
  return true;
}
