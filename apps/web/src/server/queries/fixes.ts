import type { TrailFix } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";

// Trails and replays from position_fixes (written by the processor).

interface FixRow {
  seq: number | bigint;
  lat: number;
  lon: number;
  speed_kmh: number;
  heading_deg: number;
  event_time: Date;
}

export interface TruckTrail {
  truckId: string;
  fixes: TrailFix[];
  /** True when the range held more than `limit` fixes: the first `limit` are returned. */
  truncated: boolean;
}

/**
 * One truck's fixes in [from, to), in event-time order: one range scan of the primary key
 * (truck_id, event_time, seq) in each day partition the range touches (the others are pruned),
 * so it reads only the rows it returns however large the table is.
 */
export async function truckTrail(
  prisma: PrismaClient,
  truckId: string,
  from: number,
  to: number,
  limit: number,
): Promise<TruckTrail> {
  const rows = await prisma.$queryRaw<FixRow[]>`
    SELECT seq, lat, lon, speed_kmh, heading_deg, event_time
    FROM position_fixes
    WHERE truck_id = ${truckId} AND event_time >= ${new Date(from)} AND event_time < ${new Date(to)}
    ORDER BY event_time
    LIMIT ${limit + 1}`;
  return {
    truckId,
    truncated: rows.length > limit,
    fixes: rows.slice(0, limit).map((r) => ({
      seq: Number(r.seq),
      lat: r.lat,
      lon: r.lon,
      speedKmh: r.speed_kmh,
      headingDeg: r.heading_deg,
      eventTime: r.event_time.getTime(),
    })),
  };
}

/** Several trucks' trails, one index range scan each. */
export function trails(
  prisma: PrismaClient,
  truckIds: readonly string[],
  from: number,
  to: number,
  limitPerTruck: number,
): Promise<TruckTrail[]> {
  return Promise.all(truckIds.map((id) => truckTrail(prisma, id, from, to, limitPerTruck)));
}

/** Which of these trucks the database knows (the trucks table). */
export async function knownTrucks(
  prisma: PrismaClient,
  truckIds: readonly string[],
): Promise<Set<string>> {
  const rows = await prisma.truck.findMany({
    where: { id: { in: [...truckIds] } },
    select: { id: true },
  });
  return new Set(rows.map((r) => r.id));
}
