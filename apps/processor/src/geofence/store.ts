import type { GeofenceAlert } from "@fleetstream/contracts";
import type { DbReader, Tx } from "../pipeline/operator";

/** One truck's geofence state as persisted (TruckStateJson as text). */
export interface TruckStateRow {
  truckId: string;
  state: string;
}

/**
 * Upserts the state of the trucks a batch touched, in one statement whatever the batch size.
 * Runs in the batch transaction, so the state always matches the partition checkpoint.
 */
export async function saveTruckStates(
  tx: Tx,
  groupId: string,
  partition: number,
  rows: readonly TruckStateRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO geofence_truck_states (group_id, truck_id, partition, state, updated_at)
    SELECT ${groupId}, t.id, ${partition}::int4, t.state::jsonb, now()
    FROM unnest(${rows.map((r) => r.truckId)}::text[], ${rows.map((r) => r.state)}::text[])
      AS t(id, state)
    ON CONFLICT (group_id, truck_id) DO UPDATE SET
      partition = excluded.partition, state = excluded.state, updated_at = excluded.updated_at`;
}

/** Inserts alerts; an id already stored (a batch replayed after a crash) is skipped. */
export async function saveAlerts(tx: Tx, alerts: readonly GeofenceAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  await tx.geofenceAlert.createMany({
    data: alerts.map((a) => ({
      id: a.id,
      kind: a.kind,
      truckId: a.truckId,
      geofenceId: a.geofenceId,
      geofenceVersion: a.geofenceVersion,
      eventTime: new Date(a.eventTime),
      since: new Date(a.since),
      seq: a.seq,
      lat: a.lat,
      lon: a.lon,
      speedKmh: a.speedKmh,
    })),
    skipDuplicates: true,
  });
}

/** The persisted state of every truck of one input partition. */
export async function loadTruckStates(
  db: DbReader,
  groupId: string,
  partition: number,
): Promise<{ truckId: string; state: unknown }[]> {
  return db.geofenceTruckState.findMany({
    where: { groupId, partition },
    select: { truckId: true, state: true },
  });
}
