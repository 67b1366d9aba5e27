import type { GeofenceAlertKind } from "@fleetstream/contracts";
import { type Database, ensureFixPartitions, type PrismaClient } from "@fleetstream/db";

// Rows as the processor writes them, inserted with plain SQL (so the helpers do not depend on
// Prisma's column types, which the processor's tables may change, e.g. seq int → bigint).

export async function seedTruck(
  db: Database,
  truckId: string,
  fixes: { eventTime: number; lat: number; lon: number; speedKmh?: number }[],
): Promise<void> {
  const last = fixes[fixes.length - 1];
  if (!last) return;
  const prisma = db.prisma;
  // position_fixes is partitioned by day: the days must exist, as the processor makes sure.
  await ensureFixPartitions(
    db.sql,
    fixes.map((f) => f.eventTime),
  );
  await prisma.$executeRaw`
    INSERT INTO trucks (id, lat, lon, speed_kmh, heading_deg, event_time, seq, updated_at)
    VALUES (${truckId}, ${last.lat}, ${last.lon}, ${last.speedKmh ?? 50}, 90, ${new Date(last.eventTime)}, ${fixes.length}, ${new Date(last.eventTime)})
    ON CONFLICT (id) DO NOTHING`;
  let seq = 0;
  for (const f of fixes) {
    seq += 1;
    await prisma.$executeRaw`
      INSERT INTO position_fixes (truck_id, seq, lat, lon, speed_kmh, heading_deg, event_time)
      VALUES (${truckId}, ${seq}, ${f.lat}, ${f.lon}, ${f.speedKmh ?? 50}, 90, ${new Date(f.eventTime)})`;
  }
}

export interface SeedAlert {
  truckId: string;
  geofenceId: string;
  kind: GeofenceAlertKind;
  eventTime: number;
}

export const alertId = (a: SeedAlert) => `${a.truckId}/${a.geofenceId}/${a.kind}/${a.eventTime}`;

export async function seedAlerts(prisma: PrismaClient, alerts: SeedAlert[]): Promise<string[]> {
  for (const a of alerts) {
    await prisma.$executeRaw`
      INSERT INTO geofence_alerts (id, kind, truck_id, geofence_id, geofence_version, event_time, since, seq, lat, lon, speed_kmh)
      VALUES (${alertId(a)}, ${a.kind}, ${a.truckId}, ${a.geofenceId}, 1, ${new Date(a.eventTime)}, ${new Date(a.eventTime - 20_000)}, 1, 52, 5, 50)`;
  }
  return alerts.map(alertId);
}
