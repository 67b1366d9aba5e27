import type { GpsFix } from "@fleetstream/contracts";
import { newestPerTruck } from "./pipeline/classify";
import type { Tx } from "./pipeline/operator";

/**
 * Stores accepted fixes: appends them to position_fixes (a (truck, seq) already stored is
 * skipped) and moves each truck's latest position forward. Two statements per batch, whatever its
 * size; idempotent, so a redelivered batch changes nothing.
 */
export async function savePositions(prisma: Tx, fixes: readonly GpsFix[]): Promise<void> {
  if (fixes.length === 0) return;
  const latest = newestPerTruck(fixes, () => undefined);
  // Trucks first: fixes reference them. `WHERE trucks.seq < excluded.seq` keeps a reordered or
  // redelivered older fix from moving a truck backwards.
  await prisma.$executeRaw`
        INSERT INTO trucks (id, lat, lon, speed_kmh, heading_deg, event_time, seq, updated_at)
        SELECT id, lat, lon, speed, heading, to_timestamp(event_ms / 1000.0), seq, now()
        FROM unnest(
          ${latest.map((f) => f.truckId)}::text[],
          ${latest.map((f) => f.lat)}::float8[],
          ${latest.map((f) => f.lon)}::float8[],
          ${latest.map((f) => f.speedKmh)}::float8[],
          ${latest.map((f) => f.headingDeg)}::float8[],
          ${latest.map((f) => f.eventTime)}::float8[],
          ${latest.map((f) => f.seq)}::int4[]
        ) AS t(id, lat, lon, speed, heading, event_ms, seq)
        ON CONFLICT (id) DO UPDATE SET
          lat = excluded.lat, lon = excluded.lon, speed_kmh = excluded.speed_kmh,
          heading_deg = excluded.heading_deg, event_time = excluded.event_time,
          seq = excluded.seq, updated_at = excluded.updated_at
        WHERE trucks.seq < excluded.seq`;
  await prisma.positionFix.createMany({
    data: fixes.map((f) => ({
      truckId: f.truckId,
      seq: f.seq,
      lat: f.lat,
      lon: f.lon,
      speedKmh: f.speedKmh,
      headingDeg: f.headingDeg,
      accuracyM: f.accuracyM ?? null,
      eventTime: new Date(f.eventTime),
    })),
    skipDuplicates: true,
  });
}
