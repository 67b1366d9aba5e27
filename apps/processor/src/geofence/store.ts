import type { GeofenceAlert } from "@fleetstream/contracts";
import type { SqlTx } from "@fleetstream/db";

/** Inserts alerts in one statement; an id already stored is skipped. */
export async function saveAlerts(tx: SqlTx, alerts: readonly GeofenceAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  await tx.query(
    `INSERT INTO geofence_alerts (id, kind, truck_id, geofence_id, geofence_version, event_time,
       since, seq, lat, lon, speed_kmh)
     SELECT id, kind, truck, fence, version, timestamptz 'epoch' + t * interval '1 millisecond',
       timestamptz 'epoch' + s * interval '1 millisecond', seq, lat, lon, speed
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::float8[],
       $7::float8[], $8::int8[], $9::float8[], $10::float8[], $11::float8[])
       AS u(id, kind, truck, fence, version, t, s, seq, lat, lon, speed)
     ON CONFLICT (id) DO NOTHING`,
    [
      alerts.map((a) => a.id),
      alerts.map((a) => a.kind),
      alerts.map((a) => a.truckId),
      alerts.map((a) => a.geofenceId),
      alerts.map((a) => a.geofenceVersion),
      alerts.map((a) => a.eventTime),
      alerts.map((a) => a.since),
      alerts.map((a) => a.seq),
      alerts.map((a) => a.lat),
      alerts.map((a) => a.lon),
      alerts.map((a) => a.speedKmh),
    ],
  );
}
